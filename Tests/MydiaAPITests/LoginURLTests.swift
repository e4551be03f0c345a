import Foundation
import MydiaAPI
import Testing

/// The URL-login base URL and its plain-HTTP rule (PROTOCOL.md §14.2.1, §14.2.5).
@Suite struct LoginURLTests {
    @Test func aBaseURLIsNormalised() throws {
        #expect(try LoginURL("https://Media.Example.org/").string == "https://media.example.org")
        #expect(try LoginURL("https://media.example.org:8443/mydia//").string == "https://media.example.org:8443/mydia")
        #expect(try LoginURL("media.example.org").string == "https://media.example.org")
        #expect(try LoginURL("http://[FE80::1]:4000").string == "http://[fe80::1]:4000")
        let url = try LoginURL("  http://192.168.1.5:4000/  ")
        #expect(url.isPlainHTTP && url.host == "192.168.1.5" && url.port == 4000 && url.path == "")
    }

    @Test func queriesFragmentsUserInfoAndOtherSchemesAreRefused() {
        for bad in ["https://a.example/?x=1", "https://a.example/#top", "https://me:pw@a.example", "ftp://a.example",
                    "https://", "wss://a.example", "https://a.example:0"] {
            #expect(throws: LoginURL.Error.self, "\(bad)") { _ = try LoginURL(bad) }
        }
    }

    @Test func localAddressesAreRecognised() {
        for local in ["127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.10", "169.254.3.4",
                      "::1", "fd12:3456::1", "fc00::5", "fe80::1", "fe80::1%eth0", "::ffff:192.168.1.2"] {
            #expect(LoginURL.isLocalAddress(local), "\(local)")
        }
        for outside in ["8.8.8.8", "172.32.0.1", "172.15.255.255", "192.169.0.1", "169.255.0.1", "100.64.0.1", "0.0.0.0",
                        "2001:db8::1", "::", "fec0::1", "::ffff:8.8.8.8", "localhost", "not an address"] {
            #expect(!LoginURL.isLocalAddress(outside), "\(outside)")
        }
    }

    @Test func httpIsAllowedOnlyToLocalAddressesAndAlwaysWarns() throws {
        #expect(try LoginURL("https://8.8.8.8").checkTransportPolicy() == nil)
        #expect(try LoginURL("http://192.168.1.5:4000").checkTransportPolicy() == LoginURL.plainHTTPWarning)
        #expect(try LoginURL("http://[fd00::7]").checkTransportPolicy()?.contains("crosses the network in clear") == true)
        #expect(throws: LoginURL.Error.plainHTTPNotLocal(host: "8.8.8.8", address: "8.8.8.8")) {
            _ = try LoginURL("http://8.8.8.8").checkTransportPolicy()
        }
        // The system resolver: localhost is loopback on every address it has.
        #expect(try LoginURL("http://localhost:4000").checkTransportPolicy() == LoginURL.plainHTTPWarning)
        #expect(LoginURL.systemAddresses("localhost")?.allSatisfy(LoginURL.isLocalAddress) == true)
        // A name is judged by every address it resolves to.
        let mixed = try LoginURL("http://nas.home.arpa")
        #expect(try mixed.checkTransportPolicy { _ in ["192.168.1.9", "fd00::9"] } == LoginURL.plainHTTPWarning)
        #expect(throws: LoginURL.Error.plainHTTPNotLocal(host: "nas.home.arpa", address: "203.0.113.7")) {
            _ = try mixed.checkTransportPolicy { _ in ["192.168.1.9", "203.0.113.7"] }
        }
        #expect(throws: LoginURL.Error.unresolvable("nas.home.arpa")) { _ = try mixed.checkTransportPolicy { _ in nil } }
        let sentence = LoginURL.Error.plainHTTPNotLocal(host: "x", address: "8.8.8.8").description
        #expect(sentence.contains("https://") && !sentence.contains("\n"))
    }
}
