/// The decoders that read bytes from outside the process, each as one fuzzing entry point.
///
/// ``run(_:)`` feeds arbitrary bytes to the real decoder, exactly as the node would meet them,
/// and checks what must hold for *every* input: the decoder returns a value or throws its typed
/// error — it never traps, never allocates without bound — and what it accepts survives a
/// round trip where the format has one. A broken property is returned as a
/// ``FuzzViolation``; the fuzzing driver turns it into a crash (so libFuzzer keeps the input),
/// the corpus replay test into a failure naming the file.
///
/// `ledger-fuzz` runs these under libFuzzer (`make fuzz`); `FuzzTargetsTests` replays the
/// committed corpus (`Tests/FuzzCorpus/<target>/`) through the same entry points in `make test`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Our own protocol: frames cut from a chunked stream, then every payload decoded.
    case wire
    /// RocketMQ remoting: frames, JSON and binary headers, send headers and batch bodies.
    case remoting
    /// The JSON parser of remoting headers, on its own.
    case json
    /// A node's `key=value` config file.
    case config
    /// Stored message records, entry payloads and state-machine commands.
    case record
    /// The log store's recovery over an arbitrary data file.
    case logStore
    /// The admin port's HTTP request parser and routes.
    case http
    /// The client ACL file (`plain_acl.yml`) and the decisions it makes.
    case acl

    /// What the target decodes, for `ledger-fuzz --help`.
    public var summary: String {
        switch self {
        case .wire: "own-protocol frame stream (FrameDecoder) and payloads (WireCodec)"
        case .remoting: "RocketMQ remoting stream: frames, headers, send headers, batch bodies"
        case .json: "remoting JSON header parser"
        case .config: "node config file (NodeConfig.parse)"
        case .record: "message record, entry payload and command decoders"
        case .logStore: "LogStore recovery of one arbitrary data file"
        case .http: "admin port HTTP/1.x request stream (HTTPRequestParser) and routes"
        case .acl: "client ACL file plain_acl.yml (AccessControlList.parse) and authorize"
        }
    }

    /// Feeds `bytes` to the target's decoder and checks its properties.
    public func run(_ bytes: [UInt8]) -> FuzzViolation? {
        switch self {
        case .wire: FuzzTarget.runWire(bytes)
        case .remoting: FuzzTarget.runRemoting(bytes)
        case .json: FuzzTarget.runJSON(bytes)
        case .config: FuzzTarget.runConfig(bytes)
        case .record: FuzzTarget.runRecord(bytes)
        case .logStore: FuzzTarget.runLogStore(bytes)
        case .http: FuzzTarget.runHTTP(bytes)
        case .acl: FuzzTarget.runAcl(bytes)
        }
    }
}

/// A property of a decoder that an input broke.
public struct FuzzViolation: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension FuzzTarget {
    /// Splits `bytes` into the chunks a socket might deliver: the first byte chooses the chunk
    /// size (1...256), so the fuzzer explores reassembly too.
    static func chunks(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard let first = bytes.first else { return [] }
        let size = Int(first) + 1
        var result: [ArraySlice<UInt8>] = []
        var start = 1
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            result.append(bytes[start..<end])
            start = end
        }
        return result
    }
}
