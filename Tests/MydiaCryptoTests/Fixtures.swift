import Foundation
@testable import MydiaCrypto

/// Loads the vector files in `Fixtures/` (copies of the shared vectors; see Fixtures/README.md).
enum Fixtures {
    static func json(_ name: String) throws -> [String: Any] {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)
            ?? Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")
        else { throw FixtureError.missing(name) }
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.malformed(name)
        }
        return object
    }

    enum FixtureError: Error { case missing(String), malformed(String), field(String) }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let v = self[key] as? String else { throw Fixtures.FixtureError.field(key) }
        return v
    }

    func hex(_ key: String) throws -> [UInt8] {
        guard let bytes = Encoding.fromHex(try string(key)) else { throw Fixtures.FixtureError.field(key) }
        return bytes
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let v = self[key] as? [String: Any] else { throw Fixtures.FixtureError.field(key) }
        return v
    }

    func objects(_ key: String) throws -> [[String: Any]] {
        guard let v = self[key] as? [[String: Any]] else { throw Fixtures.FixtureError.field(key) }
        return v
    }

    func uint64(_ key: String) throws -> UInt64 {
        guard let v = self[key] as? NSNumber else { throw Fixtures.FixtureError.field(key) }
        return v.uint64Value
    }
}

/// Hex literal helper for readable tests.
func hex(_ s: String) -> [UInt8] { Encoding.fromHex(s)! }
