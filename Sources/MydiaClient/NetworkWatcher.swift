import Foundation
import MydiaConnection
import MydiaSystem

/// Watches this machine's interface addresses and tells the ConnectionManager when they change
/// (PROTOCOL.md §8.2: re-probe at once on a network change) — a laptop moving from home Wi-Fi to a
/// hotspot gets a fresh probe round instead of waiting for the backoff.
struct NetworkWatcher: Sendable {
    let manager: ConnectionManager
    var interval: Duration = .seconds(2)

    func run() async {
        var last = Self.addresses()
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = Self.addresses()
            if now != last {
                last = now
                await manager.networkChanged()
            }
        }
    }

    /// The set of "interface=address" pairs of interfaces that are up.
    static func addresses() -> Set<String> {
        Set(NetworkInterfaces.list().filter(\.isUp).map { $0.name + "=" + $0.address })
    }
}
