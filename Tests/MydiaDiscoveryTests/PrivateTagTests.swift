import Foundation
import MydiaCrypto
import Testing
@testable import MydiaDiscovery

@Suite struct PrivateTagTests {
    let key = SecretBytes.random(count: 32)
    /// 2026-05-01T10:20:00Z: hour number 493,786.
    let date = Date(timeIntervalSince1970: 1_777_630_800)

    @Test func hourNumberIsUnixTimeDividedBy3600() {
        #expect(PrivateTag.hour(of: date) == 493_786)
        #expect(PrivateTag.hour(of: Date(timeIntervalSince1970: 3599.9)) == 0)
        #expect(PrivateTag.hour(of: Date(timeIntervalSince1970: 3600)) == 1)
    }

    /// Python's `hmac` module is the independent reference (§9, §11.17: "mydia-mdns" + decimal hour).
    @Test func tagEqualsPythonsHMAC() throws {
        guard let python = Python.withZeroconf ?? Python.any else {
            Issue.record("python3 is missing; scripts/deps.sh installs it")
            return
        }
        let hours: [Int64] = [0, 493_871, PrivateTag.hour(of: date)]
        let script = """
            import hmac, hashlib, sys
            key = bytes.fromhex(sys.argv[1])
            for h in sys.argv[2:]:
                print(hmac.new(key, b"mydia-mdns" + h.encode(), hashlib.sha256).hexdigest()[:16])
            """
        let output = try Python.run(python, ["-c", script, Encoding.hex(key.exposedCopy())] + hours.map(String.init))
        #expect(output.split(separator: "\n").map(String.init) == hours.map { PrivateTag.tag(key: key, hour: $0) })
    }

    @Test func tagMatchesOnlyWithTheRightKeyAndWithinAnHour() {
        let tag = PrivateTag.tag(key: key, at: date)
        #expect(tag.count == 16 && tag.allSatisfy(\.isHexDigit))
        #expect(PrivateTag.matches(tag, key: key, at: date))
        #expect(PrivateTag.matches(tag.uppercased(), key: key, at: date))
        #expect(!PrivateTag.matches(tag, key: SecretBytes.random(count: 32), at: date))
        // The previous and next hour are accepted (clock drift); two hours off is not.
        #expect(PrivateTag.matches(tag, key: key, at: date + 3600))
        #expect(PrivateTag.matches(tag, key: key, at: date - 3600))
        #expect(!PrivateTag.matches(tag, key: key, at: date + 7200))
        #expect(!PrivateTag.matches(tag, key: key, at: date - 7200))
    }

    @Test func privateAdvertisementChangesWithTheHourAndOnlyThen() {
        let schedule = AdvertisementSchedule(mode: .private, instanceID: "0b7c4a6e-8d1f-4c1a-9a55-5f2c8e3d9a10",
                                             instanceName: "Wohnzimmer", discoveryKey: key, port: 8443)
        let first = schedule.advertisement(at: date)!
        let sameHour = schedule.advertisement(at: date + 600)!
        let nextHour = schedule.advertisement(at: date + 3600)!
        #expect(first == sameHour)
        #expect(first.instanceLabel == PrivateTag.tag(key: key, at: date))
        #expect(nextHour.instanceLabel != first.instanceLabel && nextHour.hostLabel != first.hostLabel)
        // Nothing in the private records names the instance.
        let text = first.records(ipv4: [[192, 0, 2, 7]]).map { "\($0)" }.joined()
        #expect(!text.contains("Wohnzimmer") && !text.contains("0b7c4a6e"))
        #expect(first.txt.pairs.map(\.key) == ["v", "h"])
        #expect(schedule.advertisement(at: date)?.instanceLabel == first.instanceLabel)  // the tag is a function of the hour
        #expect(AdvertisementSchedule(mode: .disabled, instanceID: "x", instanceName: "x", discoveryKey: key, port: 1).advertisement(at: date) == nil)
    }

    @Test func discoveredServiceIsRecognisedByIdOrTag() {
        let id = "0b7c4a6e-8d1f-4c1a-9a55-5f2c8e3d9a10"
        let enabled = DiscoveredService(instanceLabel: "Wohnzimmer", host: DNSName("h.local"), port: 1,
                                        txt: TXTRecord([("v", "1"), ("id", id.uppercased()), ("name", "Wohn\u{1b}[2Jzimmer")]), addresses: ["192.0.2.7"])
        #expect(enabled.isInstance(id, discoveryKey: nil, at: date))
        #expect(!enabled.isInstance("11111111-8d1f-4c1a-9a55-5f2c8e3d9a10", discoveryKey: key, at: date))
        #expect(enabled.mode == .enabled && enabled.name == "Wohn[2Jzimmer")
        let tag = PrivateTag.tag(key: key, at: date)
        let hidden = DiscoveredService(instanceLabel: tag, host: DNSName("h.local"), port: 1, txt: TXTRecord([("v", "1"), ("h", tag)]),
                                       addresses: ["192.0.2.7", "fe80::1", "2001:db8::1"])
        #expect(hidden.isInstance(id, discoveryKey: key, at: date))
        #expect(!hidden.isInstance(id, discoveryKey: SecretBytes.random(count: 32), at: date))
        #expect(!hidden.isInstance(id, discoveryKey: nil, at: date))
        #expect(hidden.mode == .private && hidden.instanceID == nil)
        #expect(hidden.directURLs.map(\.absoluteString) == ["https://192.0.2.7:1", "https://[2001:db8::1]:1"])
    }
}
