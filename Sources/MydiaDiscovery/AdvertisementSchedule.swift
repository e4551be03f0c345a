public import Foundation
public import MydiaCrypto
import Synchronization

/// Which advertisement is in force at a given time: fixed in `enabled` mode, a fresh tag and a
/// fresh random host label every hour in `private` mode (PROTOCOL.md §9, §12.12).
public final class AdvertisementSchedule: Sendable {
    /// The mode this schedule announces in.
    public let mode: DiscoveryMode
    private let instanceID: String
    private let instanceName: String
    private let discoveryKey: SecretBytes
    private let port: UInt16
    /// The random host label of the hour it was drawn for.
    private let hostLabel = Mutex<(hour: Int64, label: String)?>(nil)

    /// - Parameters:
    ///   - discoveryKey: the 32-byte key paired clients received in message 2 (§12.12).
    ///   - port: the direct HTTPS listener's port.
    public init(mode: DiscoveryMode, instanceID: String, instanceName: String, discoveryKey: SecretBytes, port: UInt16) {
        self.mode = mode
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.discoveryKey = discoveryKey
        self.port = port
    }

    /// The advertisement at `date`; `nil` in `disabled` mode.
    public func advertisement(at date: Date) -> ServiceAdvertisement? {
        switch mode {
        case .disabled:
            return nil
        case .enabled:
            return .enabled(instanceID: instanceID, instanceName: instanceName, port: port)
        case .private:
            let hour = PrivateTag.hour(of: date)
            let label = hostLabel.withLock { current -> String in
                if let current, current.hour == hour { return current.label }
                let fresh = "mydia-" + Encoding.hex(SecretBytes.random(count: 6).exposedCopy())
                current = (hour, fresh)
                return fresh
            }
            return .private(discoveryKey: discoveryKey, at: date, hostLabel: label, port: port)
        }
    }
}
