// ledger-fuzz: the fuzzing driver of the decoders in FuzzTargets.
//
//   ledger-fuzz TARGET [libFuzzer flags and corpus directories]   (a `make fuzz` build)
//   ledger-fuzz TARGET FILE|DIR ...                                (any build: replay inputs)
//   ledger-fuzz TARGET --write-seeds DIR                           (write the target's seeds)
//
// Built by `make fuzz` with coverage instrumentation, AddressSanitizer and libFuzzer's driver,
// it fuzzes; built normally it replays files through the same entry point (a crash input
// found by `make fuzz` reproduces in a debug build this way). A broken property traps, so
// libFuzzer keeps the input as a crash file.
import CShim
import FuzzTargets
import Glibc
import Posix

func fail(_ message: String, code: Int32 = 2) -> Never {
    let line = Array("ledger-fuzz: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(code == 0 ? 1 : 2, $0.baseAddress, $0.count) }
    exit(code)
}

let usage = """
    usage: ledger-fuzz TARGET [libFuzzer flags] [CORPUS_DIR ...]   fuzz (in a `make fuzz` build)
           ledger-fuzz TARGET FILE|DIR ...                          replay inputs through TARGET
           ledger-fuzz TARGET --write-seeds DIR                     write TARGET's seed inputs
    targets:
    \(FuzzTarget.allCases.map { "  \($0.rawValue.padding(9))\($0.summary)" }.joined(separator: "\n"))
    """

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, name != "--help", name != "-h" else { fail(usage, code: arguments.isEmpty ? 2 : 0) }
guard let target = FuzzTarget(rawValue: name) else { fail("unknown target '\(name)'\n\(usage)") }

/// The target the C callback runs: set once before the driver starts, read only after.
nonisolated(unsafe) var selected = target

if arguments.count == 3 && arguments[1] == "--write-seeds" {
    let directory = arguments[2]
    do {
        try makeDirectories(directory)
        for (number, seed) in try target.seeds().enumerated() {
            try writeFile("\(directory)/seed-\(number)", seed)
        }
    } catch {
        fail("writing seeds to \(directory): \(error)")
    }
    exit(0)
}

if cshim_fuzzer_linked() != 0 {
    // libFuzzer reads its own flags and corpus directories; it must not see the target name.
    var argv: [UnsafeMutablePointer<CChar>?] = [strdup(CommandLine.arguments[0])]
    for argument in arguments.dropFirst() { argv.append(strdup(argument)) }
    argv.append(nil)
    var argc = Int32(argv.count - 1)
    let status = argv.withUnsafeMutableBufferPointer { buffer in
        var base: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
        return cshim_fuzzer_run(&argc, &base) { data, size in
            let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
            if let violation = selected.run(bytes) { fatalError("\(selected.rawValue): \(violation)") }
            return 0
        }
    }
    exit(status)
}

// Replay: every file named, and every file in every directory named.
var inputs: [String] = []
for path in arguments.dropFirst() {
    do {
        inputs += try Directory.list(path).sorted().map { "\(path)/\($0)" }
    } catch {
        inputs.append(path)  // Not a directory: a file (reading it reports what is wrong).
    }
}
if inputs.isEmpty { fail("no inputs to replay (this build has no libFuzzer driver; `make fuzz` builds one)") }
var violations = 0
for input in inputs {
    let bytes: [UInt8]
    do { bytes = try readFile(input) } catch { fail("reading \(input): \(error)") }
    if let violation = target.run(bytes) {
        violations += 1
        print("\(input): \(violation)")
    }
}
print("\(target.rawValue): \(inputs.count) inputs replayed, \(violations) violations")
exit(violations == 0 ? 0 : 1)
