import LedgerModel

extension NodeConfig {
    /// Reads and checks the config file at `path`; errors name the file and line.
    public static func load(path: String) throws(ConfigError) -> NodeConfig {
        try parse(ConfigFile.readText(path: path), source: path)
    }

    /// Parses and checks `key=value` text (see `CONFIG.md`); `source` names it in errors.
    ///
    /// Rejects, with one line naming `source`, the line and the key: malformed lines, unknown
    /// and duplicate keys, missing required keys, values that do not parse or are out of range,
    /// a `selfId` or `preferredLeaderId` not in `peers`, and timings or disk ratios that
    /// contradict each other.
    public static func parse(_ text: String, source: String) throws(ConfigError) -> NodeConfig {
        var settings: [Key: Setting] = [:]
        for setting in try KeyValueLines.parse(text, source: source) {
            guard let key = Key(rawValue: setting.key) else {
                throw ConfigError(
                    source: source, line: setting.line,
                    problem: .unknownKey(setting.key, suggestion: Key.closest(to: setting.key)?.rawValue))
            }
            if let first = settings[key] {
                throw ConfigError(
                    source: source, line: setting.line, problem: .duplicateKey(setting.key, firstLine: first.line))
            }
            settings[key] = setting
        }
        for key in Key.allCases where key.isRequired && settings[key] == nil {
            throw ConfigError(source: source, line: nil, problem: .missingKey(key.rawValue))
        }
        return try SettingValues(source: source, settings: settings).nodeConfig()
    }
}

extension NodeConfig.Key {
    /// Each key's letters in lower case, in `allCases` order, worked out once.
    private static let lowercasedKeys: [(key: Self, text: String, characters: [Character])] = allCases.map {
        let text = $0.rawValue.lowercased()
        return (key: $0, text: text, characters: Array(text))
    }

    /// The known key nearest to a misspelt one (same letters in another case, or at most two
    /// edits away), to suggest in the error.
    static func closest(to text: String) -> Self? {
        let lowercased = text.lowercased()
        if let sameLetters = lowercasedKeys.first(where: { $0.text == lowercased }) {
            return sameLetters.key
        }
        // A key whose length differs by more than two is more than two edits away: skipping it
        // keeps a long line from costing a full edit distance against every key.
        let characters = Array(lowercased)
        var best: (key: Self, distance: Int)?
        for candidate in lowercasedKeys where abs(candidate.characters.count - characters.count) <= 2 {
            guard let distance = editDistance(characters, candidate.characters, atMost: 2) else { continue }
            if distance < best?.distance ?? Int.max { best = (candidate.key, distance) }
        }
        return best?.key
    }

    /// Levenshtein distance (the fewest single-character insertions, deletions and
    /// substitutions) when it is at most `limit`, else nil.
    private static func editDistance(_ a: [Character], _ b: [Character], atMost limit: Int) -> Int? {
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for (i, aCharacter) in a.enumerated() {
            current[0] = i + 1
            var rowMinimum = current[0]
            for (j, bCharacter) in b.enumerated() {
                let substitution = previous[j] + (aCharacter == bCharacter ? 0 : 1)
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, substitution)
                rowMinimum = Swift.min(rowMinimum, current[j + 1])
            }
            // A row's smallest cell is never below the previous row's, so once a whole row is
            // past the limit the distance is too.
            if rowMinimum > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}

/// The settings of one file, turned into checked values.
private struct SettingValues {
    typealias Key = NodeConfig.Key

    let source: String
    let settings: [Key: Setting]

    func nodeConfig() throws(ConfigError) -> NodeConfig {
        let group = try groupName()
        let peersSetting = settings[.peers]!
        let peers = try Peer.parseList(
            peersSetting.value, source: source, line: peersSetting.line, key: Key.peers.rawValue)
        let storeBaseDir = settings[.storeBaseDir]!.value
        if storeBaseDir.isEmpty { throw invalid(.storeBaseDir, expected: "a directory path") }
        var config = NodeConfig(
            group: group, selfPeer: try member(.selfId, of: peers), peers: peers, storeBaseDir: storeBaseDir)

        if let setting = settings[.flushDiskType] {
            guard let type = NodeConfig.FlushDiskType(rawValue: setting.value) else {
                throw invalid(.flushDiskType, expected: "SYNC_FLUSH or ASYNC_FLUSH")
            }
            config.flushDiskType = type
        }
        config.flushIntervalMs = try number(.flushIntervalMs, config.flushIntervalMs, 1...60_000, "milliseconds")
        config.tickMs = try number(.tickMs, config.tickMs, 1...1000, "milliseconds")
        let anyTime = 1...3_600_000
        config.heartbeatIntervalMs = try number(
            .heartbeatIntervalMs, config.heartbeatIntervalMs, anyTime, "milliseconds")
        config.electionTimeoutMinMs = try number(
            .electionTimeoutMinMs, config.electionTimeoutMinMs, anyTime, "milliseconds")
        config.electionTimeoutMaxMs = try number(
            .electionTimeoutMaxMs, config.electionTimeoutMaxMs, anyTime, "milliseconds")
        config.proposalTimeoutMs = try number(.proposalTimeoutMs, config.proposalTimeoutMs, anyTime, "milliseconds")
        try checkTimings(config)

        if let setting = settings[.preferredLeaderId], !setting.value.isEmpty {
            config.preferredLeader = try member(.preferredLeaderId, of: peers)
        }
        config.maxMessageSize = try size(.maxMessageSize, config.maxMessageSize, 1...(15 << 20))
        config.dataFileSize = try size(.dataFileSize, config.dataFileSize, 1...(64 << 30))
        if config.dataFileSize <= config.maxMessageSize {
            try blame(
                .dataFileSize, "more than maxMessageSize (\(config.maxMessageSize) bytes) so any message fits one file",
                orElse: .maxMessageSize, "less than dataFileSize (\(config.dataFileSize) bytes)")
        }
        config.maxInflightBytesPerFollower = try size(
            .maxInflightBytesPerFollower, config.maxInflightBytesPerFollower, (64 << 10)...(256 << 20))
        config.maxUncommittedBytes = try size(.maxUncommittedBytes, config.maxUncommittedBytes, (1 << 20)...(1 << 30))
        config.maxConnections = try number(.maxConnections, config.maxConnections, 16...65_536, "connections")
        config.stalledConnectionTimeoutMs = try number(
            .stalledConnectionTimeoutMs, config.stalledConnectionTimeoutMs, 100...600_000, "milliseconds")
        config.maxOutboundBytesPerConnection = try size(
            .maxOutboundBytesPerConnection, config.maxOutboundBytesPerConnection, (1 << 20)...(1 << 30))
        config.defaultTopicQueueNums = try number(
            .defaultTopicQueueNums, config.defaultTopicQueueNums, 1...1024, "queues")
        config.maxUniqueKeys = try number(.maxUniqueKeys, config.maxUniqueKeys, 1...10_000_000, "keys")
        config.mappedFileSizeConsumeQueue = try number(
            .mappedFileSizeConsumeQueue, config.mappedFileSizeConsumeQueue, (20 * 1024)...(20 * 10_000_000), "bytes")
        guard config.mappedFileSizeConsumeQueue % 20 == 0 else {
            throw invalid(
                .mappedFileSizeConsumeQueue,
                expected: "a multiple of 20 bytes (one consume-queue entry) from 20480 to 200000000")
        }
        config.maxIndexNum = try number(.maxIndexNum, config.maxIndexNum, 1024...(1 << 26), "entries")
        try heldMessages(&config)
        try retention(&config)
        config.sendTimeoutMs = try number(.sendTimeoutMs, config.sendTimeoutMs, 1...600_000, "milliseconds")
        try adminEndpoint(&config)
        try clusterSecretFile(&config)
        try remotingEndpoints(&config)
        try accessControl(&config)
        return config
    }

    /// `messageDelayLevel`, `maxReconsumeTimes` and the transaction check settings.
    private func heldMessages(_ config: inout NodeConfig) throws(ConfigError) {
        if let text = settings[.messageDelayLevel]?.value {
            config.messageDelayLevelsMs = try delayLevels(text)
        }
        config.maxReconsumeTimes = try number(.maxReconsumeTimes, config.maxReconsumeTimes, 0...1000, "times")
        config.transactionTimeOutMs = try number(
            .transactionTimeOut, config.transactionTimeOutMs, 1000...86_400_000, "milliseconds")
        config.transactionCheckIntervalMs = try number(
            .transactionCheckInterval, config.transactionCheckIntervalMs, 1000...86_400_000, "milliseconds")
        config.transactionCheckMax = try number(.transactionCheckMax, config.transactionCheckMax, 1...1000, "checks")
    }

    /// RocketMQ's `messageDelayLevel` form: delays separated by spaces, each a whole number with
    /// `s`, `m`, `h` or `d`. Errors name the level that is wrong.
    private func delayLevels(_ text: String) throws(ConfigError) -> [Int64] {
        func wrong(_ why: String) -> ConfigError {
            invalid(
                .messageDelayLevel,
                expected: "delays separated by spaces, each a whole number with s, m, h or d, such as "
                    + "\"1s 5s 10s 30s 1m\", 1 to \(CommitLogConfiguration.maxDelayLevels) levels from 1s to 30d (\(why))"
            )
        }
        let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        var levels: [Int64] = []
        for part in text.split(separator: " ") {
            let level = levels.count + 1
            guard let unit = part.last, let scale = units[unit], part.count >= 2,
                part.dropLast().allSatisfy(\.isASCIIDigit), let value = Int64(part.dropLast())
            else { throw wrong("level \(level), \(quoted(String(part))), is not one") }
            let (milliseconds, overflow) = value.multipliedReportingOverflow(by: scale)
            guard !overflow, (1000...CommitLogConfiguration.maxDelayMilliseconds).contains(milliseconds) else {
                throw wrong("level \(level), \(quoted(String(part))), is out of range")
            }
            levels.append(milliseconds)
        }
        guard !levels.isEmpty else { throw wrong("no level") }
        guard levels.count <= CommitLogConfiguration.maxDelayLevels else { throw wrong("\(levels.count) levels") }
        return levels
    }

    /// `fileReservedTime`, `deleteWhen` and the three disk ratios, which must not decrease in
    /// the order they act: delete expired files early, delete unexpired ones, refuse writes.
    private func retention(_ config: inout NodeConfig) throws(ConfigError) {
        if let text = settings[.fileReservedTime]?.value {
            let range: ClosedRange<Int64> = 1000...(87_600 * 3_600_000)
            // Digits first, as every number in the file: no sign.
            guard text.first?.isASCIIDigit == true,
                let milliseconds = DurationText.milliseconds(text, bareNumberUnit: 3_600_000, fractions: false),
                range.contains(milliseconds)
            else {
                throw invalid(
                    .fileReservedTime,
                    expected: "a duration such as 72h, 30m or 90s (a bare number means hours), from 1s to 87600h")
            }
            config.fileReservedTimeMs = milliseconds
        }
        if let text = settings[.deleteWhen]?.value {
            config.deleteWhenHours = try hoursOfTheDay(.deleteWhen, text)
        }
        config.diskMaxUsedSpaceRatio = try number(
            .diskMaxUsedSpaceRatio, config.diskMaxUsedSpaceRatio, 10...99, "percent")
        config.diskSpaceCleanForciblyRatio = try number(
            .diskSpaceCleanForciblyRatio, config.diskSpaceCleanForciblyRatio, 10...99, "percent")
        config.diskSpaceWarningLevelRatio = try number(
            .diskSpaceWarningLevelRatio, config.diskSpaceWarningLevelRatio, 10...99, "percent")
        if config.diskMaxUsedSpaceRatio > config.diskSpaceCleanForciblyRatio {
            try blame(
                .diskMaxUsedSpaceRatio,
                "at most diskSpaceCleanForciblyRatio (\(config.diskSpaceCleanForciblyRatio)) "
                    + "so expired files are deleted before unexpired ones",
                orElse: .diskSpaceCleanForciblyRatio,
                "at least diskMaxUsedSpaceRatio (\(config.diskMaxUsedSpaceRatio)) "
                    + "so expired files are deleted before unexpired ones")
        }
        if config.diskSpaceCleanForciblyRatio > config.diskSpaceWarningLevelRatio {
            try blame(
                .diskSpaceCleanForciblyRatio,
                "at most diskSpaceWarningLevelRatio (\(config.diskSpaceWarningLevelRatio)) "
                    + "so files are deleted before writes are refused",
                orElse: .diskSpaceWarningLevelRatio,
                "at least diskSpaceCleanForciblyRatio (\(config.diskSpaceCleanForciblyRatio)) "
                    + "so files are deleted before writes are refused")
        }
    }

    /// RocketMQ's `deleteWhen` form: hours of the day 0–23 separated by `;` (`04`, `4`,
    /// `04;16`), each once; sorted ascending. Errors name the part that is wrong.
    private func hoursOfTheDay(_ key: Key, _ text: String) throws(ConfigError) -> [Int] {
        func wrong(_ why: String) -> ConfigError {
            invalid(key, expected: "hours of the day from 0 to 23 separated by \";\", such as 04 or 04;16 (\(why))")
        }
        var hours: [Int] = []
        for (position, raw) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let part = KeyValueLines.trimmed(raw)
            guard !part.isEmpty else { throw wrong("part \(position + 1) is empty") }
            guard part.allSatisfy(\.isASCIIDigit), let hour = Int(part), (0...23).contains(hour) else {
                throw wrong("\(quoted(part)) is not one")
            }
            guard !hours.contains(hour) else { throw wrong("hour \(hour) appears twice") }
            hours.append(hour)
        }
        return hours.sorted()
    }

    /// `clusterSecretFile`: a path, required unless every peer is on loopback. The file itself
    /// is read when the node starts (``NodeConfig/loadClusterSecret(source:)``).
    private func clusterSecretFile(_ config: inout NodeConfig) throws(ConfigError) {
        if let setting = settings[.clusterSecretFile] {
            guard !setting.value.isEmpty else { throw invalid(.clusterSecretFile, expected: "a file path") }
            config.clusterSecretFile = setting.value
            config.clusterSecretFileLine = setting.line
            return
        }
        if let remote = config.peers.first(where: { !$0.isLoopback }) {
            throw ConfigError(
                source: source, line: nil,
                problem: .requiredKey(
                    Key.clusterSecretFile.rawValue,
                    reason: "peer \(remote.name) (\(remote.host)) is not on loopback: "
                        + "peers must authenticate with a group secret (Sources/Server/SECURITY.md)"))
        }
    }

    /// `aclEnable` (`true` or `false`), `aclFile` (a path; the file is read when the node
    /// starts, ``NodeConfig/loadAccessControlList(source:)``) and `adminMetricsOpen` (`true` or
    /// `false`; only with `adminPort`, and `false` only with `aclEnable=true`, where it means
    /// something).
    private func accessControl(_ config: inout NodeConfig) throws(ConfigError) {
        if let setting = settings[.aclEnable] {
            switch setting.value {
            case "true": config.aclEnable = true
            case "false": config.aclEnable = false
            default: throw invalid(.aclEnable, expected: "true or false")
            }
            config.aclFileLine = setting.line
        }
        if let setting = settings[.aclFile] {
            guard !setting.value.isEmpty else { throw invalid(.aclFile, expected: "a file path") }
            config.aclFile = setting.value
            config.aclFileLine = setting.line
        }
        guard let setting = settings[.adminMetricsOpen] else { return }
        guard config.adminPort != nil else {
            throw invalid(.adminMetricsOpen, expected: "no value unless adminPort is set")
        }
        switch setting.value {
        case "true": config.adminMetricsOpen = true
        case "false" where config.aclEnable: config.adminMetricsOpen = false
        case "false":
            throw invalid(
                .adminMetricsOpen,
                expected: "true unless aclEnable=true (without the ACL no admin route asks for an account)")
        default: throw invalid(.adminMetricsOpen, expected: "true or false")
        }
    }

    /// `listenPort`, `namesrvPort` and `remotingPeers`: ports distinct from the node's own and
    /// admin ports and from each other; `remotingPeers` names every peer once and carries
    /// `listenPort` for this node.
    private func remotingEndpoints(_ config: inout NodeConfig) throws(ConfigError) {
        var taken: [(Key, Int)] = [(.peers, Int(config.selfPeer.port))]
        if let admin = config.adminPort { taken.append((.adminPort, admin)) }
        func port(_ key: Key) throws(ConfigError) -> Int? {
            guard settings[key] != nil else { return nil }
            let value = try number(key, 0, 1...65_535, "port")
            if let clash = taken.first(where: { $0.1 == value }) {
                throw invalid(key, expected: "a port other than \(clash.0.rawValue)'s (\(value))")
            }
            taken.append((key, value))
            return value
        }
        config.listenPort = try port(.listenPort)
        config.namesrvPort = try port(.namesrvPort)
        guard let listenPort = config.listenPort else {
            if settings[.namesrvPort] != nil {
                throw invalid(.namesrvPort, expected: "no value unless listenPort is set")
            }
            if settings[.remotingPeers] != nil {
                throw invalid(.remotingPeers, expected: "no value unless listenPort is set")
            }
            return
        }
        guard let setting = settings[.remotingPeers] else {
            throw invalid(
                .listenPort,
                expected: "remotingPeers beside it: every member's remoting address, such as n0-127.0.0.1:30911")
        }
        let remoting = try Peer.parseList(
            setting.value, source: source, line: setting.line, key: Key.remotingPeers.rawValue)
        let names = config.peers.map(\.name)
        guard remoting.count == config.peers.count, remoting.allSatisfy({ config.peer($0.id)?.name == $0.name })
        else {
            throw invalid(.remotingPeers, expected: "one entry for each id in peers (\(names.joined(separator: ", ")))")
        }
        if remoting.first(where: { $0.id == config.selfPeer.id })?.port != UInt16(listenPort) {
            throw invalid(.remotingPeers, expected: "listenPort (\(listenPort)) as \(config.selfPeer.name)'s port")
        }
        config.remotingPeers = remoting
    }

    /// `adminPort` (a port other than the node's own) and `adminAddress` (IPv4, only with a port).
    private func adminEndpoint(_ config: inout NodeConfig) throws(ConfigError) {
        if settings[.adminPort] != nil {
            let port = try number(.adminPort, 0, 1...65_535, "port")
            if port == Int(config.selfPeer.port) {
                throw invalid(
                    .adminPort, expected: "a port other than this node's own (\(config.selfPeer.port) in peers)")
            }
            config.adminPort = port
        }
        guard let setting = settings[.adminAddress] else { return }
        guard config.adminPort != nil else {
            throw invalid(.adminAddress, expected: "no value unless adminPort is set")
        }
        guard Self.isIPv4(setting.value) else {
            throw invalid(.adminAddress, expected: "an IPv4 address such as 127.0.0.1 or 0.0.0.0")
        }
        config.adminAddress = setting.value
    }

    /// Four decimal numbers 0–255 without leading zeros, separated by dots.
    private static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit)
                    && (part == "0" || part.first != "0")
                    && Int(part)! <= 255
            }
    }

    /// The rules that keep the derived `RaftConfig` valid, each blamed on a key the file sets.
    private func checkTimings(_ config: NodeConfig) throws(ConfigError) {
        let tick = config.tickMs
        let timings: [(Key, Int)] = [
            (.heartbeatIntervalMs, config.heartbeatIntervalMs), (.electionTimeoutMinMs, config.electionTimeoutMinMs),
            (.electionTimeoutMaxMs, config.electionTimeoutMaxMs), (.proposalTimeoutMs, config.proposalTimeoutMs),
        ]
        for (key, value) in timings where value % tick != 0 {
            try blame(key, "a multiple of tickMs (\(tick))", orElse: .tickMs, "a divisor of \(key.rawValue) (\(value))")
        }
        if config.electionTimeoutMinMs < 2 * tick {
            try blame(
                .electionTimeoutMinMs, "at least 2 ticks (\(2 * tick) ms with tickMs \(tick))",
                orElse: .tickMs, "at most half of electionTimeoutMinMs (\(config.electionTimeoutMinMs))")
        }
        if config.heartbeatIntervalMs >= config.electionTimeoutMinMs {
            try blame(
                .heartbeatIntervalMs, "less than electionTimeoutMinMs (\(config.electionTimeoutMinMs))",
                orElse: .electionTimeoutMinMs, "more than heartbeatIntervalMs (\(config.heartbeatIntervalMs))")
        }
        if config.electionTimeoutMaxMs < config.electionTimeoutMinMs {
            try blame(
                .electionTimeoutMaxMs, "at least electionTimeoutMinMs (\(config.electionTimeoutMinMs))",
                orElse: .electionTimeoutMinMs, "at most electionTimeoutMaxMs (\(config.electionTimeoutMaxMs))")
        }
        if config.proposalTimeoutMs < config.electionTimeoutMaxMs {
            try blame(
                .proposalTimeoutMs, "at least electionTimeoutMaxMs (\(config.electionTimeoutMaxMs))",
                orElse: .electionTimeoutMaxMs, "at most proposalTimeoutMs (\(config.proposalTimeoutMs))")
        }
    }

    /// Throws for `key` when the file sets it, else for `other`. The defaults agree with each
    /// other, so a broken rule always involves at least one key the file sets.
    private func blame(_ key: Key, _ expected: String, orElse other: Key, _ otherExpected: String)
        throws(ConfigError)
    {
        if settings[key] != nil { throw invalid(key, expected: expected) }
        precondition(settings[other] != nil, "defaults of \(key) and \(other) contradict each other")
        throw invalid(other, expected: otherExpected)
    }

    private func invalid(_ key: Key, expected: String) -> ConfigError {
        let setting = settings[key]
        return ConfigError(
            source: source, line: setting?.line,
            problem: .invalidValue(key: key.rawValue, expected: expected, got: setting?.value ?? ""))
    }

    private func groupName() throws(ConfigError) -> String {
        let value = settings[.group]!.value
        let allowed = value.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || "-_.".contains($0) }
        guard allowed, (1...64).contains(value.count) else {
            throw invalid(.group, expected: "1 to 64 letters, digits, \"-\", \"_\" or \".\"")
        }
        return value
    }

    /// The peer `key` names.
    private func member(_ key: Key, of peers: [Peer]) throws(ConfigError) -> Peer {
        let name = settings[key]?.value ?? ""
        guard let peer = peers.first(where: { $0.name == name }) else {
            throw invalid(key, expected: "one of the ids in peers (\(peers.map(\.name).joined(separator: ", ")))")
        }
        return peer
    }

    /// A whole number in `range`, or `defaultValue` when the file does not set `key`.
    private func number(_ key: Key, _ defaultValue: Int, _ range: ClosedRange<Int>, _ unit: String)
        throws(ConfigError) -> Int
    {
        guard let text = settings[key]?.value else { return defaultValue }
        let noun =
            switch unit {
            case "port": "a port number"
            default: "a whole number of \(unit)"
            }
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else { throw invalid(key, expected: noun) }
        guard let value = Int(text), range.contains(value) else {
            throw invalid(key, expected: "\(noun) from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A byte count such as `1073741824`, `64MiB` or `4 KiB`, in `range`.
    private func size(_ key: Key, _ defaultValue: Int, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = settings[key]?.value else { return defaultValue }
        let digits = text.prefix(while: \.isASCIIDigit)
        let suffix = KeyValueLines.trimmed(text.dropFirst(digits.count)).lowercased()
        let multipliers = ["": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30]
        guard !digits.isEmpty, let multiplier = multipliers[suffix] else {
            throw invalid(key, expected: "a size in bytes or with a KiB, MiB or GiB suffix, such as 64MiB")
        }
        guard let count = Int(digits), case let (value, overflow) = count.multipliedReportingOverflow(by: multiplier),
            !overflow, range.contains(value)
        else {
            throw invalid(
                key, expected: "a size from \(describeSize(range.lowerBound)) to \(describeSize(range.upperBound))")
        }
        return value
    }
}

/// `bytes` in the largest binary unit that divides it exactly: `15 MiB`, `1 byte`, `1536 bytes`.
func describeSize(_ bytes: Int) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= 1 << shift && bytes % (1 << shift) == 0
    {
        return "\(bytes >> shift) \(unit)"
    }
    return bytes == 1 ? "1 byte" : "\(bytes) bytes"
}
