import Foundation

/// Certificates for TLS tests, made with the system's `openssl`: a test CA, leaves it signed for
/// chosen names, and self-signed leaves. Every file lives in one temporary directory.
public struct TestCertificates: Sendable {
    /// One certificate with its key, as PEM text.
    public struct Identity: Sendable {
        /// The certificate.
        public let certificatePEM: String
        /// Its private key.
        public let privateKeyPEM: String
        /// hex(SHA-256(DER)) of the certificate: what `--pin-sha256` takes.
        public let fingerprint: String
    }

    /// Where the files are.
    public let directory: String
    /// The test CA's certificate (what `--ca FILE` points at).
    public var caPEMPath: String { directory + "/ca.pem" }
    /// The test CA's certificate as text.
    public let caPEM: String

    /// Makes a fresh CA in a new temporary directory.
    public init() throws {
        directory = NSTemporaryDirectory() + "mydia-test-certs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.openssl(["req", "-x509"] + Self.ec + ["-keyout", directory + "/ca-key.pem", "-out", directory + "/ca.pem",
                                                        "-days", "2", "-subj", "/CN=mydia test CA",
                                                        "-addext", "basicConstraints=critical,CA:TRUE",
                                                        "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        caPEM = try String(contentsOfFile: directory + "/ca.pem", encoding: .utf8)
    }

    /// A server certificate signed by the test CA for `names` (`IP:127.0.0.1`, `DNS:localhost`, …).
    public func leaf(_ label: String, subjectAltNames names: [String]) throws -> Identity {
        let base = directory + "/" + label
        try Self.openssl(["req"] + Self.ec + ["-keyout", base + "-key.pem", "-out", base + ".csr", "-subj", "/CN=\(label)"])
        try "subjectAltName=\(names.joined(separator: ","))\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try Self.openssl(["x509", "-req", "-in", base + ".csr", "-CA", directory + "/ca.pem", "-CAkey", directory + "/ca-key.pem",
                          "-CAcreateserial", "-days", "2", "-extfile", base + ".ext", "-out", base + ".pem"])
        return try identity(base)
    }

    /// A self-signed server certificate for `names`, trusted by nothing.
    public func selfSigned(_ label: String, subjectAltNames names: [String]) throws -> Identity {
        let base = directory + "/" + label
        try Self.openssl(["req", "-x509"] + Self.ec + ["-keyout", base + "-key.pem", "-out", base + ".pem", "-days", "2",
                                                        "-subj", "/CN=\(label)", "-addext", "subjectAltName=\(names.joined(separator: ","))"])
        return try identity(base)
    }

    /// Removes the directory.
    public func remove() { try? FileManager.default.removeItem(atPath: directory) }

    private func identity(_ base: String) throws -> Identity {
        let der = directory + "/der-\(UUID().uuidString)"
        try Self.openssl(["x509", "-in", base + ".pem", "-outform", "DER", "-out", der])
        let digest = try Self.run("/usr/bin/env", ["sha256sum", der]).split(separator: " ").first.map(String.init) ?? ""
        return Identity(certificatePEM: try String(contentsOfFile: base + ".pem", encoding: .utf8),
                        privateKeyPEM: try String(contentsOfFile: base + "-key.pem", encoding: .utf8),
                        fingerprint: digest.lowercased())
    }

    private static let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    private static func openssl(_ args: [String]) throws {
        _ = try run("/usr/bin/env", ["openssl"] + args)
    }

    @discardableResult
    private static func run(_ executable: String, _ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestCertificateError(command: ([executable] + args).prefix(3).joined(separator: " "))
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A certificate tool failed.
public struct TestCertificateError: Error, CustomStringConvertible {
    /// The start of the failed command.
    public let command: String
    public var description: String { "\(command) failed" }
}
