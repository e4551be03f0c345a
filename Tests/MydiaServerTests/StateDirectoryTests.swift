import Foundation
import MydiaServer
import Testing

/// The server's state directory (issue 18): owner-only, never another user's, and a write never
/// follows a symlink planted where a secret goes.
@Suite struct StateDirectoryTests {
    static func temporary() -> String { NSTemporaryDirectory() + "mydia-state-\(UUID().uuidString)" }

    @Test func aLooseDirectoryIsTightenedAndSecretsAre0600() throws {
        let path = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        let state = try StateDirectory(path: path)
        try state.write(Data("secret".utf8), to: "identity.json")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect((try FileManager.default.attributesOfItem(atPath: path + "/identity.json")[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(state.read("identity.json") == Data("secret".utf8))
    }

    @Test func anotherUsersDirectoryOrASymlinkIsRefused() throws {
        let path = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if geteuid() == 0 {
            #require(chown(path, 65534, 65534) == 0)
            #expect(throws: StateDirectory.Error.self) { try StateDirectory(path: path) }
            #require(chown(path, 0, 0) == 0)
        }
        let link = Self.temporary()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let refused = try #require(throws: StateDirectory.Error.self) { try StateDirectory(path: link) }
        #expect(refused.description.contains("not a directory"))
    }

    @Test func aSymlinkPlantedWhereASecretGoesIsReplacedNotFollowed() throws {
        let path = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let state = try StateDirectory(path: path)
        let victim = Self.temporary()
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: victim))
        defer { try? FileManager.default.removeItem(atPath: victim) }
        try FileManager.default.createSymbolicLink(atPath: path + "/identity.json", withDestinationPath: victim)
        try state.write(Data("secret".utf8), to: "identity.json")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched")
        #expect(state.read("identity.json") == Data("secret".utf8))
        #expect((try FileManager.default.attributesOfItem(atPath: path + "/identity.json")[.type] as? FileAttributeType) == .typeRegular)
    }
}
