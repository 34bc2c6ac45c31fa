import Bytes
import Raft

/// The first frame on a peer connection, and its answer: who is speaking.
///
/// The connecting node sends its own identity as a `handshake` request; the accepting node
/// answers with its identity in a `handshake` response, or with an ``ErrorResponse``
/// (`badRequest`) when the group differs or the node is not a member. Layout:
/// `string group, u64 nodeID, string nodeName`.
public struct PeerHandshake: WirePayload {
    /// The Raft group the node belongs to (`group` in its config).
    public var group: String
    public var nodeID: NodeID
    /// The configured id, e.g. `n0`, for log lines.
    public var nodeName: String

    public init(group: String, nodeID: NodeID, nodeName: String) {
        self.group = group
        self.nodeID = nodeID
        self.nodeName = nodeName
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeString(group)
        writer.writeUInt64(nodeID.rawValue)
        writer.writeString(nodeName)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        group = try reader.readString("group", limit: limits.maxStringBytes)
        nodeID = NodeID(try reader.readUInt64("nodeID"))
        nodeName = try reader.readString("nodeName", limit: limits.maxStringBytes)
    }
}
