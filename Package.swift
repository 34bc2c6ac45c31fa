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
        .executable(name: "bench-store", targets: ["bench-store"]),
    ],
    targets: [
        .target(name: "Raft", swiftSettings: strict),
        .target(name: "LogStore", dependencies: ["Raft"], exclude: ["FORMAT.md"], swiftSettings: strict),
        .executableTarget(name: "bench-store", dependencies: ["LogStore", "Raft"], swiftSettings: strict),
        .testTarget(name: "RaftTests", dependencies: ["Raft"], swiftSettings: strict),
        .testTarget(name: "LogStoreTests", dependencies: ["LogStore", "Raft"], swiftSettings: strict),
    ]
)
