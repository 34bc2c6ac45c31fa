import LedgerConfig
import Testing

/// The three required keys besides `selfId`, for tests that vary the rest.
let requiredLines = """
    group=ledger
    selfId=n0
    peers=n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40913
    storeBaseDir=run/data/n0
    """

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)  // Tests/LedgerConfigTests/Support/ConfigFixtures.swift
    return parts.joined(separator: "/")
}()

/// The one-line message parsing `text` (as `conf/n0.conf`) fails with, or a recorded issue.
func errorMessage(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
        let config = try NodeConfig.parse(text, source: "conf/n0.conf")
        Issue.record("expected an error, parsed \(config)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error.description
    }
}

/// The message of `--peers` parsing failing, or a recorded issue.
func peersErrorMessage(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
        let peers = try Peer.parseList(text)
        Issue.record("expected an error, parsed \(peers)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error.description
    }
}
