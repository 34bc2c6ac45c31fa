import LedgerConfig
import Posix
import TestSupport
import Testing

/// Every way a config can be wrong, with the exact line an operator sees.
@Suite struct ConfigErrorTests {
    @Test func malformedLine() {
        #expect(
            errorMessage("group=ledger\njust words")
                == #"conf/n0.conf:2: expected key=value, a # comment or a blank line, got "just words""#)
        #expect(
            errorMessage(" = value")
                == #"conf/n0.conf:1: expected key=value, a # comment or a blank line, got "= value""#)
    }

    /// Line numbers are an editor's: lines end at "\n", "\r\n" or a lone "\r" (as in Java
    /// properties files), not at a form feed or U+2028 (found by `make fuzz`).
    @Test func linesEndOnlyAtLineBreaks() {
        #expect(
            errorMessage("group=ledger\r\nselfId=n0\rjust words")
                == #"conf/n0.conf:3: expected key=value, a # comment or a blank line, got "just words""#)
        #expect(
            errorMessage("group=ledger\u{0C}\u{2028}\njust words")
                == #"conf/n0.conf:2: expected key=value, a # comment or a blank line, got "just words""#)
    }

    @Test func unknownKeys() {
        #expect(
            errorMessage("\(requiredLines)\nheartbeatInterval=50")
                == #"conf/n0.conf:5: unknown key "heartbeatInterval" (did you mean "heartbeatIntervalMs"?)"#)
        #expect(errorMessage("selfid=n0") == #"conf/n0.conf:1: unknown key "selfid" (did you mean "selfId"?)"#)
        #expect(
            errorMessage("brokerName=broker-a")
                == #"conf/n0.conf:1: unknown key "brokerName"; known keys: group, selfId, peers, storeBaseDir, flushDiskType, flushIntervalMs, tickMs, heartbeatIntervalMs, electionTimeoutMinMs, electionTimeoutMaxMs, proposalTimeoutMs, preferredLeaderId, dataFileSize, maxMessageSize, maxInflightBytesPerFollower, maxUncommittedBytes, defaultTopicQueueNums, fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, diskSpaceCleanForciblyRatio, diskSpaceWarningLevelRatio, maxUniqueKeys, mappedFileSizeConsumeQueue, maxIndexNum, messageDelayLevel, maxReconsumeTimes, transactionTimeOut, transactionCheckInterval, transactionCheckMax, sendTimeoutMs, adminPort, adminAddress, clusterSecretFile, maxConnections, stalledConnectionTimeoutMs, maxOutboundBytesPerConnection, listenPort, namesrvPort, remotingPeers, aclEnable, aclFile, adminMetricsOpen"#
        )
    }

    /// A suggestion is at most two edits away whichever way the lengths differ; a line far
    /// longer than any key gets the list of known keys (and costs no edit distance).
    @Test func suggestionsReachTwoEdits() {
        #expect(errorMessage("tickMsss=10") == #"conf/n0.conf:1: unknown key "tickMsss" (did you mean "tickMs"?)"#)
        #expect(errorMessage("tikM=10") == #"conf/n0.conf:1: unknown key "tikM" (did you mean "tickMs"?)"#)
        let knownKeys = "; known keys: \(NodeConfig.Key.allCases.map(\.rawValue).joined(separator: ", "))"
        #expect(errorMessage("tickMssss=10") == #"conf/n0.conf:1: unknown key "tickMssss""# + knownKeys)
        let longKey = String(repeating: "heartbeatIntervalMs", count: 200)
        #expect(errorMessage("\(longKey)=1") == "conf/n0.conf:1: unknown key \"\(longKey)\"" + knownKeys)
    }

    @Test func duplicateKey() {
        #expect(
            errorMessage("\(requiredLines)\n\n# again\ngroup=other")
                == #"conf/n0.conf:7: duplicate key "group" (first set on line 1)"#)
    }

    @Test func missingRequiredKeys() {
        #expect(
            errorMessage("selfId=n0\npeers=n0-a:1\nstoreBaseDir=d") == #"conf/n0.conf: missing required key "group""#)
        #expect(errorMessage("group=g\nselfId=n0\nstoreBaseDir=d") == #"conf/n0.conf: missing required key "peers""#)
        #expect(errorMessage("") == #"conf/n0.conf: missing required key "group""#)
    }

    @Test func badRequiredValues() {
        #expect(
            errorMessage(requiredLines.replacing("group=ledger", with: "group=my ledger"))
                == #"conf/n0.conf:1: group: expected 1 to 64 letters, digits, "-", "_" or ".", got "my ledger""#)
        #expect(
            errorMessage(requiredLines.replacing("selfId=n0", with: "selfId=n5"))
                == #"conf/n0.conf:2: selfId: expected one of the ids in peers (n0, n1, n2), got "n5""#)
        #expect(
            errorMessage(requiredLines.replacing("storeBaseDir=run/data/n0", with: "storeBaseDir="))
                == #"conf/n0.conf:4: storeBaseDir: expected a directory path, got """#)
        #expect(
            errorMessage("\(requiredLines)\npreferredLeaderId=n9")
                == #"conf/n0.conf:5: preferredLeaderId: expected one of the ids in peers (n0, n1, n2), got "n9""#)
    }

    @Test func malformedPeersNameTheLine() {
        let badPort = requiredLines.replacing("40913", with: "409130")
        #expect(
            errorMessage(badPort) == #"conf/n0.conf:3: peers: expected a port from 1 to 65535 for n2, got "409130""#)
        let duplicateAddress = requiredLines.replacing("40913", with: "40911")
        #expect(
            errorMessage(duplicateAddress)
                == #"conf/n0.conf:3: peers: expected each address once (n0 and n2 both use 127.0.0.1:40911), got "n2-127.0.0.1:40911""#
        )
        let duplicateID = requiredLines.replacing("n2-", with: "n1-")
        #expect(
            errorMessage(duplicateID)
                == #"conf/n0.conf:3: peers: expected each node id once (n1 appears twice), got "n1-127.0.0.1:40913""#)
    }

    @Test func badNumbers() {
        #expect(
            errorMessage("\(requiredLines)\n\n\nelectionTimeoutMinMs=fast")
                == #"conf/n0.conf:7: electionTimeoutMinMs: expected a whole number of milliseconds, got "fast""#)
        #expect(
            errorMessage("\(requiredLines)\ntickMs=-5")
                == #"conf/n0.conf:5: tickMs: expected a whole number of milliseconds, got "-5""#)
        #expect(
            errorMessage("\(requiredLines)\ntickMs=0")
                == #"conf/n0.conf:5: tickMs: expected a whole number of milliseconds from 1 to 1000, got "0""#)
        #expect(
            errorMessage("\(requiredLines)\nsendTimeoutMs=99999999999999999999999")
                == #"conf/n0.conf:5: sendTimeoutMs: expected a whole number of milliseconds from 1 to 600000, got "99999999999999999999999""#
        )
        #expect(
            errorMessage("\(requiredLines)\ndeleteWhen=24")
                == #"conf/n0.conf:5: deleteWhen: expected hours of the day from 0 to 23 separated by ";", such as 04 or 04;16 ("24" is not one), got "24""#
        )
        #expect(
            errorMessage("\(requiredLines)\nfileReservedTime=3d")
                == #"conf/n0.conf:5: fileReservedTime: expected a duration such as 72h, 30m or 90s (a bare number means hours), from 1s to 87600h, got "3d""#
        )
        #expect(
            errorMessage("\(requiredLines)\ndefaultTopicQueueNums=0")
                == #"conf/n0.conf:5: defaultTopicQueueNums: expected a whole number of queues from 1 to 1024, got "0""#)
        #expect(
            errorMessage("\(requiredLines)\nflushDiskType=sync")
                == #"conf/n0.conf:5: flushDiskType: expected SYNC_FLUSH or ASYNC_FLUSH, got "sync""#)
    }

    @Test func badAdminEndpoints() {
        #expect(
            errorMessage("\(requiredLines)\nadminPort=http")
                == #"conf/n0.conf:5: adminPort: expected a port number, got "http""#)
        #expect(
            errorMessage("\(requiredLines)\nadminPort=70000")
                == #"conf/n0.conf:5: adminPort: expected a port number from 1 to 65535, got "70000""#)
        #expect(
            errorMessage("\(requiredLines)\nadminPort=40911")
                == #"conf/n0.conf:5: adminPort: expected a port other than this node's own (40911 in peers), got "40911""#
        )
        #expect(
            errorMessage("\(requiredLines)\nadminAddress=127.0.0.1")
                == #"conf/n0.conf:5: adminAddress: expected no value unless adminPort is set, got "127.0.0.1""#)
        for address in ["localhost", "127.0.0.256", "127.0.0", "::1", "01.2.3.4", ""] {
            #expect(
                errorMessage("\(requiredLines)\nadminPort=8081\nadminAddress=\(address)")
                    == "conf/n0.conf:6: adminAddress: expected an IPv4 address such as 127.0.0.1 or 0.0.0.0, got \"\(address)\""
            )
        }
    }

    @Test func badAdminMetricsOpen() {
        #expect(
            errorMessage("\(requiredLines)\nadminMetricsOpen=true")
                == #"conf/n0.conf:5: adminMetricsOpen: expected no value unless adminPort is set, got "true""#)
        #expect(
            errorMessage("\(requiredLines)\nadminPort=8081\naclEnable=true\nadminMetricsOpen=no")
                == #"conf/n0.conf:7: adminMetricsOpen: expected true or false, got "no""#)
        #expect(
            errorMessage("\(requiredLines)\nadminPort=8081\nadminMetricsOpen=false")
                == #"conf/n0.conf:6: adminMetricsOpen: expected true unless aclEnable=true (without the ACL no admin route asks for an account), got "false""#
        )
    }

    @Test func badSizes() {
        #expect(
            errorMessage("\(requiredLines)\ndataFileSize=64MB")
                == #"conf/n0.conf:5: dataFileSize: expected a size in bytes or with a KiB, MiB or GiB suffix, such as 64MiB, got "64MB""#
        )
        #expect(
            errorMessage("\(requiredLines)\nmaxMessageSize=16MiB")
                == #"conf/n0.conf:5: maxMessageSize: expected a size from 1 byte to 15 MiB, got "16MiB""#)
        #expect(
            errorMessage("\(requiredLines)\nmaxMessageSize=0")
                == #"conf/n0.conf:5: maxMessageSize: expected a size from 1 byte to 15 MiB, got "0""#)
        #expect(
            errorMessage("\(requiredLines)\nmaxInflightBytesPerFollower=1KiB")
                == #"conf/n0.conf:5: maxInflightBytesPerFollower: expected a size from 64 KiB to 256 MiB, got "1KiB""#)
        #expect(
            errorMessage("\(requiredLines)\nmaxUncommittedBytes=2GiB")
                == #"conf/n0.conf:5: maxUncommittedBytes: expected a size from 1 MiB to 1 GiB, got "2GiB""#)
        #expect(
            errorMessage("\(requiredLines)\nmaxConnections=8")
                == #"conf/n0.conf:5: maxConnections: expected a whole number of connections from 16 to 65536, got "8""#)
        #expect(
            errorMessage("\(requiredLines)\nstalledConnectionTimeoutMs=0")
                == #"conf/n0.conf:5: stalledConnectionTimeoutMs: expected a whole number of milliseconds from 100 to 600000, got "0""#
        )
        #expect(
            errorMessage("\(requiredLines)\nmaxOutboundBytesPerConnection=1KiB")
                == #"conf/n0.conf:5: maxOutboundBytesPerConnection: expected a size from 1 MiB to 1 GiB, got "1KiB""#)
        #expect(
            errorMessage("\(requiredLines)\ndataFileSize=99999999999GiB")
                == #"conf/n0.conf:5: dataFileSize: expected a size from 1 byte to 64 GiB, got "99999999999GiB""#)
        #expect(
            errorMessage("\(requiredLines)\ndataFileSize=1MiB")
                == #"conf/n0.conf:5: dataFileSize: expected more than maxMessageSize (4194304 bytes) so any message fits one file, got "1MiB""#
        )
        #expect(
            errorMessage("\(requiredLines)\nmaxMessageSize=8MiB\ndataFileSize=8MiB")
                == #"conf/n0.conf:6: dataFileSize: expected more than maxMessageSize (8388608 bytes) so any message fits one file, got "8MiB""#
        )
    }

    @Test func contradictoryTimings() {
        #expect(
            errorMessage("\(requiredLines)\nelectionTimeoutMinMs=300\nelectionTimeoutMaxMs=150")
                == #"conf/n0.conf:6: electionTimeoutMaxMs: expected at least electionTimeoutMinMs (300), got "150""#)
        #expect(
            errorMessage("\(requiredLines)\nelectionTimeoutMinMs=400")
                == #"conf/n0.conf:5: electionTimeoutMinMs: expected at most electionTimeoutMaxMs (300), got "400""#)
        #expect(
            errorMessage("\(requiredLines)\nheartbeatIntervalMs=150")
                == #"conf/n0.conf:5: heartbeatIntervalMs: expected less than electionTimeoutMinMs (150), got "150""#)
        #expect(
            errorMessage("\(requiredLines)\nelectionTimeoutMinMs=50")
                == #"conf/n0.conf:5: electionTimeoutMinMs: expected more than heartbeatIntervalMs (50), got "50""#)
        #expect(
            errorMessage("\(requiredLines)\nheartbeatIntervalMs=55")
                == #"conf/n0.conf:5: heartbeatIntervalMs: expected a multiple of tickMs (10), got "55""#)
        #expect(
            errorMessage("\(requiredLines)\ntickMs=7")
                == #"conf/n0.conf:5: tickMs: expected a divisor of heartbeatIntervalMs (50), got "7""#)
        #expect(
            errorMessage("\(requiredLines)\ntickMs=100\nheartbeatIntervalMs=100\nelectionTimeoutMinMs=100")
                == #"conf/n0.conf:7: electionTimeoutMinMs: expected at least 2 ticks (200 ms with tickMs 100), got "100""#
        )
        #expect(
            errorMessage("\(requiredLines)\nproposalTimeoutMs=200")
                == #"conf/n0.conf:5: proposalTimeoutMs: expected at least electionTimeoutMaxMs (300), got "200""#)
        #expect(
            errorMessage("\(requiredLines)\nelectionTimeoutMaxMs=3000")
                == #"conf/n0.conf:5: electionTimeoutMaxMs: expected at most proposalTimeoutMs (2000), got "3000""#)
    }

    @Test func valuesWithControlCharactersStayOnOneLine() {
        #expect(
            errorMessage("\(requiredLines)\ntickMs=1\u{7}0")
                == #"conf/n0.conf:5: tickMs: expected a whole number of milliseconds, got "1\u{07}0""#)
    }

    @Test func filesThatAreNotUTF8() throws {
        let directory = try TemporaryDirectory(prefix: "ledger-config-test")
        defer { #expect(throws: Never.self) { try directory.remove() } }
        let path = "\(directory.path)/n0.conf"
        try writeFile(path, Array("group=caf".utf8) + [0xE9] + Array("\n".utf8))
        #expect(throws: ConfigError(source: path, line: nil, problem: .notUTF8)) {
            try NodeConfig.load(path: path)
        }
        let message = ConfigError(source: "conf/n0.conf", line: nil, problem: .notUTF8).description
        #expect(message == "conf/n0.conf: expected UTF-8 text, got bytes that are not")
    }

    @Test func aDirectoryIsNotAConfigFile() {
        #expect(throws: ConfigError(source: "/", line: nil, problem: .unreadable("Is a directory"))) {
            try NodeConfig.load(path: "/")
        }
    }
}
