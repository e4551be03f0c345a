import ArgumentParser
import MydiaRelay

@main
struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mydia-relay", abstract: "The mydia relay (in progress).")
    func run() throws {
        print("mydia-relay: not implemented yet (limits: \(RelayLimits().maxClientBinary))")
        throw ExitCode(1)
    }
}
