public import Foundation
import MydiaSystem

// The per-install device id of URL login (PROTOCOL.md §14.2.2).
extension CredentialStore {
    /// The file holding the device id, beside `servers.json`.
    public nonisolated var deviceIDFileURL: URL { directory.appendingPathComponent("device-id") }

    /// This install's device id: a UUIDv4 made on first use and kept in `device-id` (0600), then
    /// sent by every login so a server sees one device per install. Two processes making it at the
    /// same moment agree: the file is created exclusively and the loser reads the winner's.
    /// - Throws: `.corrupt` when the file holds something else than a UUID, `.storage`.
    public func installDeviceID() throws(Error) -> String {
        let path = deviceIDFileURL.path
        do {
            try PrivateFile.ensureDirectory(directory.path, logger: logger)
            if let existing = try readDeviceID(path) { return existing }
            let fresh = UUID().uuidString.lowercased()
            if try PrivateFile.createExclusively(Array((fresh + "\n").utf8), at: path) { return fresh }
            guard let winner = try readDeviceID(path) else { throw Error.corrupt(path: path) }
            return winner
        } catch let failure as PrivateFile.Failure {
            throw .storage(failure.description)
        } catch let error as Error {
            throw error
        } catch {
            throw .storage("Could not read \(path).")
        }
    }

    private func readDeviceID(_ path: String) throws -> String? {
        guard let bytes = try PrivateFile.read(path, logger: logger) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let uuid = UUID(uuidString: text), uuid.uuidString.lowercased() == text else { throw Error.corrupt(path: path) }
        return text
    }
}
