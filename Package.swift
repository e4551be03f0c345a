// swift-tools-version: 6.1
import PackageDescription

// House settings (STYLE): Swift 6 mode with strict concurrency and the upcoming features
// Hummingbird enables. The Makefile adds -warnings-as-errors.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]

let package = Package(
    name: "mydia-tui",
    products: [
        .executable(name: "mydia-relay", targets: ["mydia-relay"]),
        .executable(name: "mydia-server", targets: ["mydia-server"]),
        .executable(name: "mydia-tui", targets: ["mydia-tui"]),
        .executable(name: "mydia-relay-bench", targets: ["RelayBench"]),
        .executable(name: "mydia-server-bench", targets: ["ServerBench"]),
        .executable(name: "mydia-bench", targets: ["MydiaBench"]),
        .executable(name: "mydia-fuzz", targets: ["MydiaFuzz"]),
        .executable(name: "mydia-playback-bench", targets: ["PlaybackBench"]),
        .executable(name: "mydia-tui-bench", targets: ["TUIBench"]),
        .executable(name: "mydia-fleet-bench", targets: ["FleetBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
        .package(url: "https://github.com/GraphQLSwift/Graphiti", from: "3.1.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries, each with a tiny C shim for what Swift cannot import.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Posters in the terminal: libchafa draws them (kitty, sixel, symbols); libjpeg-turbo,
        // libpng and libwebp decode them. Neither is linked nor named to pkg-config (whose libs
        // SwiftPM would link into every program): the TUI opens them with dlopen on its first
        // poster, so `play`, `ls` and the proxy never map them (BENCH stream_1gb_rss_mb).
        .systemLibrary(name: "CChafa", providers: [.apt(["libchafa0"])]),
        .systemLibrary(name: "CImageCodecs", providers: [.apt(["libjpeg62-turbo-dev", "libpng-dev", "libwebp-dev"])]),

        // What all three programs need from the operating system: child processes, the interface
        // list, the signal trap, allocator settings. Imports nothing of ours.
        .target(name: "MydiaSystem", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // Noise IK, SecureChannel framing, sealed claims, secret buffers. Imports libsodium only.
        .target(name: "MydiaCrypto", dependencies: ["CSodium"], swiftSettings: swiftSettings),
        // Protocol message types shared by all three programs: relay JSON, handshake payloads,
        // tunnel api messages and media frames, the sealed claim's plaintext.
        .target(name: "MydiaWire", dependencies: ["MydiaCrypto"], swiftSettings: swiftSettings),
        // What both peers need to reach the relay and run a tunnel over it: relay TLS and SNI, the
        // claim-API exchange, the word-masking WebSocket client and frame pieces, the tunnel
        // endpoint core (limits, sealing into the socket's buffer, throttled drop log).
        .target(
            name: "MydiaTunnel",
            dependencies: [
                "MydiaWire", "MydiaCrypto",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: swiftSettings),
        // What the server's direct HTTPS listener and the relay's listener bound on every
        // connection: caps per address and in all, the request-head and idle timeouts.
        .target(
            name: "MydiaListener",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // The relay: WebSocket endpoints for instances and clients, the sealed-claim store.
        .target(
            name: "MydiaRelay",
            dependencies: [
                "MydiaWire", "MydiaCrypto", "MydiaTunnel", "MydiaListener", "MydiaSystem",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings),
        // The server's catalog: the library folder, SQLite state (GRDB), the GraphQL schema, local
        // users and URL login (swift-crypto for TOTP's HMAC-SHA1, which libsodium lacks).
        .target(
            name: "MydiaLibrary",
            dependencies: [
                "MydiaSystem", "MydiaWire", "MydiaCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Graphiti", package: "Graphiti"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // HLS for the server: ffmpeg remux/transcode sessions, byte-range file responses.
        .target(
            name: "MydiaStreaming",
            dependencies: [
                "MydiaSystem", "MydiaCrypto", "MydiaWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // The client's transports: the relay WebSocket, the tunnel session over it (§5) and the
        // certificate-pinned direct HTTPS path (§6).
        .target(
            name: "MydiaTransport",
            dependencies: [
                "MydiaWire", "MydiaCrypto", "MydiaTunnel",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: swiftSettings),

        // The client's ConnectionManager actor: relay-first, background probing, hot swap (§8).
        .target(
            name: "MydiaConnection",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),

        // The client's app layer: credentials on disk, typed GraphQL operations and models.
        .target(
            name: "MydiaAPI",
            dependencies: ["MydiaWire", "MydiaCrypto", "MydiaConnection", "MydiaSystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),

        // The client, assembled: credentials + transports + ConnectionManager + API client, and pairing.
        .target(
            name: "MydiaClient",
            dependencies: [
                "MydiaAPI", "MydiaConnection", "MydiaTransport", "MydiaTunnel", "MydiaSystem", "MydiaWire", "MydiaCrypto", "MydiaDiscovery",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // LAN discovery (PROTOCOL.md §9): DNS-SD over mDNS on SwiftNIO multicast, private-mode tags.
        .target(
            name: "MydiaDiscovery",
            dependencies: [
                "MydiaWire", "MydiaCrypto", "MydiaSystem",
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: swiftSettings),

        // Playback (PROTOCOL.md §10): the loopback HLS proxy over the ConnectionManager, the mpv
        // launcher and its JSON IPC, streaming sessions and progress reporting.
        .target(
            name: "MydiaPlayback",
            dependencies: [
                "MydiaAPI", "MydiaConnection", "MydiaWire", "MydiaSystem", "MydiaCrypto",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: swiftSettings),

        // Downloads for offline playback (issue 20): direct play into a hidden partial folder,
        // resumed by Range and checked by the strong ETag, renamed into place with metadata and subtitles.
        .target(
            name: "MydiaDownloads",
            dependencies: [
                "MydiaPlayback", "MydiaAPI", "MydiaConnection", "MydiaSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // The curses front end: the terminal layer over the CNcurses shim, view models, screens.
        .target(
            name: "MydiaTUI",
            dependencies: [
                "CNcurses", "CChafa", "CImageCodecs", "MydiaClient", "MydiaAPI", "MydiaConnection", "MydiaTransport", "MydiaPlayback", "MydiaSystem",
                "MydiaDownloads",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: swiftSettings),

        // The reference home server: identity and certificate, pairing, the relay link, the tunnel
        // responder, the direct HTTPS listener, and the HTTP API both paths share.
        .target(
            name: "MydiaServer",
            dependencies: [
                "MydiaWire", "MydiaCrypto", "MydiaTunnel", "MydiaSystem", "MydiaListener", "MydiaLibrary", "MydiaStreaming", "MydiaDiscovery",
                "CQRencode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: swiftSettings),

        .executableTarget(
            name: "mydia-relay",
            dependencies: [
                "MydiaRelay", "MydiaWire", "MydiaSystem", "MydiaListener",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        .executableTarget(
            name: "mydia-server",
            dependencies: [
                "MydiaServer", "MydiaLibrary", "MydiaCrypto", "MydiaWire", "MydiaSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        .executableTarget(
            name: "mydia-tui",
            dependencies: [
                "MydiaClient", "MydiaAPI", "MydiaConnection", "MydiaTransport", "MydiaWire", "MydiaCrypto",
                "MydiaPlayback", "MydiaTUI", "MydiaDiscovery", "MydiaSystem", "MydiaDownloads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // `make bench` and `make fuzz` drivers (not shipped).
        .executableTarget(
            name: "MydiaBench", dependencies: ["MydiaCrypto", "CSodium"],
            path: "Benchmarks/MydiaBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "RelayBench",
            dependencies: [
                "MydiaRelay", "MydiaWire", "MydiaCrypto", "MydiaListener", "MydiaSystem",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            path: "Benchmarks/RelayBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "ServerBench",
            dependencies: [
                "MydiaStreaming", "MydiaSystem", "MydiaServer", "MydiaRelay", "MydiaLibrary", "MydiaWire", "MydiaClient", "MydiaAPI", "MydiaCrypto",
                "MydiaConnection", "MydiaTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ServerBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "PlaybackBench",
            dependencies: [
                "MydiaSystem", "MydiaPlayback", "MydiaServer", "MydiaRelay", "MydiaLibrary", "MydiaWire", "MydiaClient", "MydiaAPI",
                "MydiaConnection", "MydiaCrypto", "MydiaDownloads",
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            path: "Benchmarks/PlaybackBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "FleetBench",
            dependencies: ["MydiaWire", "MydiaCrypto", "MydiaTestSupport"],
            path: "Benchmarks/FleetBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "TUIBench",
            dependencies: [
                "MydiaTUI", "MydiaAPI", "MydiaConnection", "MydiaClient", "MydiaWire", "CNcurses",
                "MydiaServer", "MydiaRelay", "MydiaLibrary", "MydiaSystem", "MydiaCrypto", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/TUIBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "MydiaFuzz",
            dependencies: ["MydiaCrypto", "MydiaWire", "MydiaAPI", "MydiaPlayback", "MydiaDiscovery"],
            path: "Fuzz/MydiaFuzz", swiftSettings: swiftSettings),

        .testTarget(
            name: "MydiaCryptoTests", dependencies: ["MydiaCrypto", "CSodium"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "CNcursesTests", dependencies: ["CNcurses"], swiftSettings: swiftSettings),
        .testTarget(name: "MydiaWireTests", dependencies: ["MydiaWire"], swiftSettings: swiftSettings),
        .testTarget(name: "MydiaSystemTests", dependencies: ["MydiaSystem"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaTunnelTests",
            dependencies: [
                "MydiaTunnel", "MydiaWire", "MydiaCrypto",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaRelayTests",
            dependencies: [
                "MydiaRelay", "MydiaWire", "MydiaCrypto", "MydiaTestSupport", "MydiaListener",
                .product(name: "WSClient", package: "swift-websocket"),
            ] + nio,
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaLibraryTests", dependencies: ["MydiaLibrary", "MydiaCrypto"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "MydiaStreamingTests", dependencies: ["MydiaStreaming"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaTransportTests",
            dependencies: [
                "MydiaTransport", "MydiaTunnel", "MydiaWire", "MydiaCrypto", "MydiaServer", "MydiaRelay", "MydiaTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCore", package: "swift-websocket"),
            ] + nio,
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaAPITests",
            dependencies: ["MydiaAPI", "MydiaConnection", "MydiaWire", "MydiaCrypto", "MydiaServer", "MydiaLibrary", "MydiaStreaming", "MydiaTestSupport",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaClientTests",
            dependencies: ["MydiaClient", "MydiaAPI", "MydiaConnection", "MydiaServer", "MydiaTestSupport", "MydiaWire", "MydiaCrypto", "MydiaTransport", "MydiaLibrary"],
            swiftSettings: swiftSettings),
        .testTarget(name: "MydiaConnectionTests", dependencies: ["MydiaConnection", "MydiaTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaDiscoveryTests",
            dependencies: ["MydiaDiscovery", "MydiaWire", "MydiaCrypto", "MydiaServer", "MydiaClient", "MydiaConnection", "MydiaAPI", "MydiaTestSupport"] + nio,
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaPlaybackTests",
            dependencies: [
                "MydiaPlayback", "MydiaClient", "MydiaAPI", "MydiaConnection", "MydiaServer", "MydiaLibrary",
                "MydiaTestSupport", "MydiaWire", "MydiaCrypto",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaDownloadsTests",
            dependencies: [
                "MydiaDownloads", "MydiaPlayback", "MydiaClient", "MydiaAPI", "MydiaConnection", "MydiaServer", "MydiaLibrary",
                "MydiaTestSupport", "MydiaSystem", "MydiaCrypto", "MydiaTUI",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaTUITests",
            dependencies: [
                "MydiaTUI", "CNcurses", "MydiaClient", "MydiaAPI", "MydiaConnection", "MydiaPlayback", "MydiaServer",
                "MydiaTestSupport", "MydiaWire", "MydiaCrypto", "MydiaLibrary", "MydiaSystem", "MydiaDownloads",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        // Test helpers shared by the integration tests: a real WebSocket test client, timeouts.
        .target(
            name: "MydiaTestSupport",
            dependencies: [
                "MydiaWire", "MydiaCrypto", "MydiaRelay", "MydiaServer", "MydiaTransport", "MydiaTunnel", "MydiaSystem",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            path: "Tests/MydiaTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "MydiaServerTests",
            dependencies: [
                "MydiaServer", "MydiaWire", "MydiaCrypto", "MydiaRelay", "MydiaLibrary", "MydiaStreaming", "MydiaTestSupport", "MydiaTunnel",
                "MydiaTransport", "MydiaListener",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ] + nio,
            swiftSettings: swiftSettings),
    ]
)
