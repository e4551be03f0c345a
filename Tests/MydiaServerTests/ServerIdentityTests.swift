import Foundation
import MydiaCrypto
@testable import MydiaServer
import NIOSSL
import SwiftASN1
import Testing
import X509

@Suite struct ServerIdentityTests {
    func tempDir() throws -> StateDirectory {
        try StateDirectory(path: NSTemporaryDirectory() + "mydia-identity-\(UUID().uuidString)")
    }

    func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func identityIsCreatedOnceAndSurvivesRestart() throws {
        let dir = try tempDir()
        let first = try ServerIdentity.loadOrCreate(in: dir, name: "Wohnzimmer", hosts: ["127.0.0.1"])
        let second = try ServerIdentity.loadOrCreate(in: dir, name: nil, hosts: ["127.0.0.1"])
        #expect(first.instanceID == second.instanceID && UUID(uuidString: first.instanceID) != nil)
        #expect(first.instanceID == first.instanceID.lowercased())
        #expect(first.staticKey.publicKey == second.staticKey.publicKey)
        #expect(first.discoveryKey.constantTimeEquals(second.discoveryKey))
        #expect(first.fingerprint == second.fingerprint && second.instanceName == "Wohnzimmer")
        #expect(try ServerIdentity.loadOrCreate(in: dir, name: "Küche", hosts: []).instanceName == "Küche")
    }

    @Test func secretsAreOwnerOnly() throws {
        let dir = try tempDir()
        _ = try ServerIdentity.loadOrCreate(in: dir, name: nil, hosts: [])
        #expect(try mode(dir.url) == 0o700)
        #expect(try mode(dir.file(ServerIdentity.identityFile)) == 0o600)
        #expect(try mode(dir.file(ServerIdentity.keyFile)) == 0o600)
    }

    @Test func damagedIdentityIsReportedNotReplaced() throws {
        let dir = try tempDir()
        try dir.write(Data("{broken".utf8), to: ServerIdentity.identityFile)
        #expect(throws: ServerIdentity.Error.self) { try ServerIdentity.loadOrCreate(in: dir, name: nil, hosts: []) }
        #expect(dir.read(ServerIdentity.identityFile) == Data("{broken".utf8))
    }

    @Test func certificateLoadsInNIOSSLAndNamesItsHosts() throws {
        let dir = try tempDir()
        let id = try ServerIdentity.loadOrCreate(in: dir, name: "Test", hosts: ["192.0.2.7", "media.example"])
        let nio = try NIOSSLCertificate(bytes: Array(id.certificate.certificatePEM.utf8), format: .pem)
        #expect(try nio.toDERBytes() == id.certificate.der)
        _ = try NIOSSLPrivateKey(bytes: Array(id.certificate.privateKeyPEM.utf8), format: .pem)
        #expect(id.fingerprint.hex == Encoding.hex(SHA256.hash(id.certificate.der)))
        let cert = try Certificate(pemEncoded: id.certificate.certificatePEM)
        let san = try #require(try cert.extensions.subjectAlternativeNames)
        #expect(san.contains(.dnsName("media.example")) && san.contains(.dnsName("localhost")))
        #expect(san.count == 4)
    }

    @Test func rotationChangesOnlyTheCertificate() throws {
        let dir = try tempDir()
        let before = try ServerIdentity.loadOrCreate(in: dir, name: nil, hosts: [])
        try ServerIdentity.rotateCertificate(in: dir, hosts: [])
        let after = try ServerIdentity.loadOrCreate(in: dir, name: nil, hosts: [])
        #expect(before.instanceID == after.instanceID && before.staticKey.publicKey == after.staticKey.publicKey)
        #expect(before.fingerprint != after.fingerprint)
    }
}
