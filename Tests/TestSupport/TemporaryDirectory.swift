import Posix

/// A fresh, empty directory under `$TMPDIR` (or `/tmp`) for one test. ``remove()`` deletes it
/// with everything in it; call it when the test ends, failed or not (e.g. in a `defer`).
package struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    package let path: String

    /// Creates the directory, its name starting with `prefix` (`logstore-test-Ab12Cd`).
    package init(prefix: String) throws(SystemError) {
        path = try makeTemporaryDirectory(prefix: prefix)
    }

    /// Deletes the directory and everything under it; a directory already gone is fine.
    package func remove() throws(SystemError) {
        try removeTree(path)
    }
}
