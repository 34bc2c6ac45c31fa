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
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "LedgerConfig", targets: ["LedgerConfig"]),
    ],
    targets: [
        .target(name: "Raft", swiftSettings: strict),
        .target(name: "CShim"),
        .target(name: "Posix", dependencies: ["CShim"], swiftSettings: strict),
        .testTarget(name: "RaftTests", dependencies: ["Raft"], swiftSettings: strict),
        .testTarget(name: "PosixTests", dependencies: ["Posix"], swiftSettings: strict),
        .target(name: "Wire", dependencies: ["Raft"], exclude: ["PROTOCOL.md"], swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Raft"], swiftSettings: strict),
        .target(name: "LedgerConfig", dependencies: ["Raft"], exclude: ["CONFIG.md"], swiftSettings: strict),
        .testTarget(name: "LedgerConfigTests", dependencies: ["LedgerConfig", "Raft"], swiftSettings: strict),
    ]
)
