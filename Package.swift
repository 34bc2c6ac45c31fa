// swift-tools-version: 6.1
import PackageDescription

/// SwiftLedger: a Raft-replicated message log. Toolchain only — no package dependencies.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SwiftLedger",
    products: [
        .library(name: "Raft", targets: ["Raft"]),
        .library(name: "LogStore", targets: ["LogStore"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "LedgerConfig", targets: ["LedgerConfig"]),
        .library(name: "LedgerClient", targets: ["LedgerClient"]),
        .executable(name: "ledger", targets: ["ledger"]),
        .executable(name: "bench-store", targets: ["bench-store"]),
        .library(name: "CommitLog", targets: ["CommitLog"]),
        .executable(name: "bench-commitlog", targets: ["BenchCommitLog"]),
        .executable(name: "simulate", targets: ["simulate"]),
    ],
    targets: [
        .target(name: "Raft", swiftSettings: strict),
        .target(name: "LogStore", dependencies: ["Raft", "CShim"], exclude: ["FORMAT.md"], swiftSettings: strict),
        .target(name: "CShim"),
        .target(name: "Posix", dependencies: ["CShim"], swiftSettings: strict),
        .target(name: "Wire", dependencies: ["Raft", "CommitLog"], exclude: ["PROTOCOL.md"], swiftSettings: strict),
        .target(
            name: "LedgerConfig", dependencies: ["Raft", "CommitLog"], exclude: ["CONFIG.md"], swiftSettings: strict),
        .target(
            name: "Server", dependencies: ["Raft", "LogStore", "Wire", "Posix", "LedgerConfig", "CommitLog", "Replica"], swiftSettings: strict),
        .target(name: "LedgerClient", dependencies: ["Wire", "Posix", "LedgerConfig", "Raft", "CommitLog"], swiftSettings: strict),
        .target(
            name: "LedgerCLI", dependencies: ["LedgerClient", "LedgerConfig", "Wire", "Posix", "Raft", "CommitLog"],
            swiftSettings: strict),
        .executableTarget(name: "ledger", dependencies: ["Server", "LedgerCLI"], swiftSettings: strict),
        .executableTarget(name: "bench-store", dependencies: ["LogStore", "Raft"], swiftSettings: strict),
        .target(name: "CommitLog", dependencies: ["Raft", "LogStore"], exclude: ["FORMAT.md"], swiftSettings: strict),
        .target(name: "Replica", dependencies: ["Raft", "LogStore", "CommitLog", "Wire"], swiftSettings: strict),
        .executableTarget(name: "BenchCommitLog", dependencies: ["CommitLog", "Raft"], swiftSettings: strict),
        .target(
            name: "Simulator", dependencies: ["Raft", "LogStore", "CommitLog", "Replica", "Wire"], path: "Simulation/Simulator",
            swiftSettings: strict),
        .executableTarget(
            name: "simulate", dependencies: ["Simulator"], path: "Simulation/simulate", swiftSettings: strict),
        .testTarget(name: "RaftTests", dependencies: ["Raft"], swiftSettings: strict),
        .testTarget(name: "LogStoreTests", dependencies: ["LogStore", "Raft"], swiftSettings: strict),
        .testTarget(name: "PosixTests", dependencies: ["Posix"], swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Raft", "CommitLog"], swiftSettings: strict),
        .testTarget(
            name: "LedgerConfigTests", dependencies: ["LedgerConfig", "Raft", "CommitLog"], swiftSettings: strict),
        .testTarget(name: "CommitLogTests", dependencies: ["CommitLog", "LogStore", "Raft"], swiftSettings: strict),
        .testTarget(
            name: "LedgerClientTests",
            dependencies: ["LedgerClient", "LedgerCLI", "LedgerConfig", "Wire", "Posix", "Raft", "CommitLog"],
            swiftSettings: strict),
        .testTarget(
            name: "ClusterTests",
            dependencies: ["LedgerCLI", "LedgerClient", "LedgerConfig", "Posix", "Raft", "Wire", "CommitLog", "Server"],
            swiftSettings: strict),
        .testTarget(
            name: "ReplicaTests", dependencies: ["Replica", "Raft", "LogStore", "CommitLog", "Wire"], swiftSettings: strict),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Raft", "CommitLog", "Replica"], swiftSettings: strict),
    ]
)
