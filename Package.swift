// swift-tools-version: 6.1
import PackageDescription

// House settings (../STYLE): Swift 6 mode with strict concurrency and the upcoming features
// Hummingbird enables. CI adds -warnings-as-errors through the Makefile.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "mydia-tui",
    products: [
        .library(name: "MydiaCrypto", targets: ["MydiaCrypto"]),
        .executable(name: "mydia-bench", targets: ["MydiaBench"]),
        .executable(name: "mydia-fuzz", targets: ["MydiaFuzz"]),
    ],
    targets: [
        // System libraries, each with a tiny C shim for what Swift cannot import.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),

        // Noise IK, SecureChannel framing, sealed claims, secret buffers. Imports libsodium only.
        .target(name: "MydiaCrypto", dependencies: ["CSodium"], swiftSettings: swiftSettings),

        // `make bench` and `make fuzz` drivers (not shipped).
        .executableTarget(
            name: "MydiaBench", dependencies: ["MydiaCrypto", "CSodium"],
            path: "Benchmarks/MydiaBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "MydiaFuzz", dependencies: ["MydiaCrypto"],
            path: "Fuzz/MydiaFuzz", swiftSettings: swiftSettings),

        .testTarget(
            name: "MydiaCryptoTests", dependencies: ["MydiaCrypto", "CSodium"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "CNcursesTests", dependencies: ["CNcurses"], swiftSettings: swiftSettings),
    ]
)
