// swift-tools-version: 6.1
import PackageDescription

/// SwiftLedger: a Raft-replicated message log. Toolchain only — no package dependencies.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The simulator's own bookkeeping (cluster, checkers, event queue) is single-threaded test code
/// that touches class state on every event: in release builds it skips the runtime's dynamic
/// exclusivity checks (the compile-time ones stay). The node code it drives keeps them.
let simulatorSpeed: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "SwiftLedger",
    products: [
        .library(name: "Bytes", targets: ["Bytes"]),
        .library(name: "Raft", targets: ["Raft"]),
        .library(name: "FileIO", targets: ["FileIO"]),
        .library(name: "LogStore", targets: ["LogStore"]),
        .library(name: "LedgerModel", targets: ["LedgerModel"]),
        .library(name: "CommitLog", targets: ["CommitLog"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Remoting", targets: ["Remoting"]),
        .library(name: "LedgerConfig", targets: ["LedgerConfig"]),
        .library(name: "LedgerClient", targets: ["LedgerClient"]),
        .executable(name: "ledger", targets: ["ledger"]),
        .executable(name: "bench-store", targets: ["bench-store"]),
        .executable(name: "bench-commitlog", targets: ["bench-commitlog"]),
        .executable(name: "bench-remoting", targets: ["bench-remoting"]),
        .executable(name: "simulate", targets: ["simulate"]),
        .executable(name: "ledger-fuzz", targets: ["ledger-fuzz"]),
    ],
    // Bottom up, as DESIGN.md's module layout: each target depends only on targets listed before it.
    targets: [
        .target(name: "CShim"),
        .target(name: "Posix", dependencies: ["CShim"], swiftSettings: strict),
        .target(name: "Bytes", swiftSettings: strict),
        .target(name: "Crypto", swiftSettings: strict),
        .target(name: "Raft", swiftSettings: strict),
        .target(name: "FileIO", dependencies: ["Posix", "CShim", "Raft"], swiftSettings: strict),
        .target(
            name: "LogStore", dependencies: ["FileIO", "Bytes", "Posix", "Raft"], exclude: ["FORMAT.md"],
            swiftSettings: strict),
        .target(name: "LedgerModel", dependencies: ["Bytes", "FileIO", "Raft"], swiftSettings: strict),
        .target(
            name: "CommitLog", dependencies: ["LedgerModel", "FileIO", "Bytes", "Posix", "Raft", "CShim"],
            exclude: ["FORMAT.md"], swiftSettings: strict),
        .target(
            name: "Replica", dependencies: ["Raft", "FileIO", "LogStore", "LedgerModel", "CommitLog"],
            swiftSettings: strict),
        .target(
            name: "Wire", dependencies: ["Bytes", "LedgerModel", "Raft"], exclude: ["PROTOCOL.md"],
            swiftSettings: strict),
        .target(name: "Admin", dependencies: ["Bytes"], exclude: ["ADMIN.md"], swiftSettings: strict),
        .target(
            name: "Remoting", dependencies: ["Bytes", "LedgerModel"], exclude: ["PROTOCOL.md"], swiftSettings: strict),
        .target(
            name: "LedgerConfig", dependencies: ["LedgerModel", "Raft", "Posix", "Bytes", "Crypto"],
            exclude: ["CONFIG.md"],
            swiftSettings: strict),
        .target(
            name: "LedgerClient", dependencies: ["Bytes", "Wire", "Posix", "LedgerConfig", "LedgerModel", "Raft"],
            swiftSettings: strict),
        .target(
            name: "Server",
            dependencies: [
                "Bytes", "FileIO", "Raft", "LogStore", "Wire", "Posix", "LedgerConfig", "LedgerModel", "CommitLog",
                "Replica", "Admin", "Crypto", "Remoting", "LedgerClient",
            ],
            exclude: ["METRICS.md", "SECURITY.md"], swiftSettings: strict),
        .target(name: "LedgerLocalGroup", dependencies: ["LedgerConfig", "Posix", "Raft"], swiftSettings: strict),
        .target(
            name: "LedgerCLI",
            dependencies: ["Bytes", "LedgerClient", "LedgerConfig", "LedgerModel", "Wire", "Posix", "Raft"],
            swiftSettings: strict),
        .target(
            name: "LedgerBench",
            dependencies: [
                "Bytes", "LedgerCLI", "LedgerLocalGroup", "LedgerClient", "LedgerConfig", "LedgerModel", "Wire",
                "Posix",
                "Raft", "Remoting",
            ],
            swiftSettings: strict),
        .target(
            name: "LedgerChaos",
            dependencies: [
                "LedgerCLI", "LedgerLocalGroup", "LedgerClient", "LedgerConfig", "LedgerModel", "Wire", "Posix", "Raft",
                "CommitLog", "FileIO", "LogStore",
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "ledger", dependencies: ["Server", "LedgerCLI", "LedgerBench", "LedgerChaos"], swiftSettings: strict),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "Admin", "Bytes", "FileIO", "LedgerConfig", "LedgerModel", "LogStore", "Raft", "Remoting", "Wire",
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "ledger-fuzz", dependencies: ["CShim", "FuzzTargets", "Posix"], swiftSettings: strict),
        .executableTarget(name: "bench-store", dependencies: ["LogStore", "FileIO", "Raft"], swiftSettings: strict),
        .executableTarget(
            name: "bench-commitlog", dependencies: ["CommitLog", "LedgerModel", "FileIO", "Raft"], swiftSettings: strict
        ),
        .executableTarget(
            name: "bench-remoting", dependencies: ["Bytes", "Remoting", "LedgerModel"], swiftSettings: strict),
        .target(
            name: "Simulator", dependencies: ["Raft", "FileIO", "LogStore", "LedgerModel", "CommitLog", "Replica"],
            path: "Simulation/Simulator", swiftSettings: strict + simulatorSpeed),
        .executableTarget(
            name: "simulate", dependencies: ["Simulator"], path: "Simulation/simulate", swiftSettings: strict),
        .target(name: "TestSupport", dependencies: ["Posix"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "PosixTests", dependencies: ["Posix"], swiftSettings: strict),
        .testTarget(name: "BytesTests", dependencies: ["Bytes"], swiftSettings: strict),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "RaftTests", dependencies: ["Raft"], swiftSettings: strict),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO", "Posix", "Raft"], swiftSettings: strict),
        .testTarget(
            name: "LogStoreTests", dependencies: ["LogStore", "Bytes", "FileIO", "Posix", "Raft", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "LedgerModelTests", dependencies: ["LedgerModel", "Bytes"], swiftSettings: strict),
        .testTarget(
            name: "CommitLogTests",
            dependencies: ["CommitLog", "LedgerModel", "Bytes", "FileIO", "Posix", "Raft", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ReplicaTests",
            dependencies: ["Replica", "Raft", "FileIO", "LogStore", "LedgerModel", "CommitLog", "Posix"],
            swiftSettings: strict),
        .testTarget(
            name: "RemotingTests", dependencies: ["Remoting", "Bytes", "LedgerModel", "Raft"], swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Bytes", "LedgerModel", "Raft"], swiftSettings: strict),
        .testTarget(name: "AdminTests", dependencies: ["Admin", "Bytes"], swiftSettings: strict),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Admin", "Crypto", "LedgerConfig", "LedgerModel", "Posix", "Raft", "Replica", "Bytes",
                "TestSupport",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "LedgerConfigTests", dependencies: ["LedgerConfig", "LedgerModel", "Raft", "Posix", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "LedgerClientTests",
            dependencies: ["Bytes", "LedgerClient", "LedgerConfig", "LedgerModel", "Wire", "Posix", "Raft"],
            swiftSettings: strict),
        .testTarget(
            name: "LedgerCLITests",
            dependencies: ["LedgerCLI", "LedgerClient", "LedgerConfig", "LedgerModel", "Wire", "Raft"],
            swiftSettings: strict),
        .testTarget(
            name: "LedgerLocalGroupTests",
            dependencies: ["LedgerLocalGroup", "LedgerConfig", "Posix", "Raft", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "LedgerBenchTests", dependencies: ["LedgerBench", "LedgerCLI"], swiftSettings: strict),
        .testTarget(
            name: "LedgerChaosTests", dependencies: ["LedgerChaos", "LedgerCLI", "LedgerModel"], swiftSettings: strict),
        .testTarget(
            name: "ClusterTests",
            dependencies: [
                "LedgerChaos", "LedgerBench", "LedgerLocalGroup", "LedgerClient", "LedgerConfig", "LedgerModel",
                "Posix", "Raft", "Wire", "Server", "TestSupport", "Bytes", "Remoting",
            ],
            swiftSettings: strict),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets", "Posix"], swiftSettings: strict),
        .testTarget(
            name: "SimulatorTests", dependencies: ["Simulator", "Raft", "LedgerModel", "CommitLog", "Replica"],
            swiftSettings: strict),
    ]
)
