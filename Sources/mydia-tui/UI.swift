import ArgumentParser
import Foundation
import MydiaAPI
import MydiaPlayback
import MydiaTUI

/// `mydia-tui` with no subcommand: the curses UI (first run: the pairing screen).
struct UI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open the terminal UI (the default): pair on first run, then browse, search and play.")

    @Option(help: "The relay the pairing screen starts with. Default: $MYDIA_RELAY.") var relay: String?
    @Option(help: "This device's name as the server shows it (when pairing).") var name: String?
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let environment = ProcessInfo.processInfo.environment
            let logger = global.logger()
            let store = try global.store(logger)
            let config: TUIConfig
            do { config = try TUIConfig.load(directory: ConfigDirectory.resolve()) } catch { throw CommandFailure(.failure, "\(error)") }
            let options = TUIApp.Options(
                server: global.server, relay: relay ?? environment["MYDIA_RELAY"] ?? "", deviceName: name ?? DeviceName.default(),
                config: config, cache: CatalogCache(directory: CatalogCache.defaultDirectory()), environment: environment)
            let playback = LivePlaybackController(
                mpvArguments: config.mpvArguments,
                autoplayCountdown: config.autoplaySeconds > 0 ? .seconds(config.autoplaySeconds) : nil,
                subtitleLanguage: config.subtitleLanguage, skip: config.skip, trackMemory: TrackMemory.standard(), logger: logger)
            do {
                try await TUIApp(options: options, store: store, playback: playback, logger: logger).run()
            } catch let error as CursesScreen.Error {
                throw CommandFailure(.failure, error.description)
            }
        }
    }
}

/// The default device name: "mydia-tui on <host>".
enum DeviceName {
    static func `default`() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        let host = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "mydia-tui on \(host.isEmpty ? "this computer" : host)"
    }
}
