import Foundation
import Posix

/// The package's `.build` directory: the nearest ancestor of the test bundle named so. Tests
/// keep what outlives a run there (a Python venv, the dashboard screenshot).
func packageBuildDirectory() throws -> String {
    let bundle = try currentExecutablePath()
    var path = bundle
    while let slash = path.lastIndex(of: "/") {
        if path.hasSuffix("/.build") { return path }
        path = String(path[..<slash])
    }
    throw ProbeError("no .build directory above the test bundle \(bundle)")
}

/// The first executable called `name` on `PATH`, if any.
func findOnPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { fileExists($0) }
}
