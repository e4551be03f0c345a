@testable import MydiaDiscovery
import Testing

/// The responder is never a reflector (issue 18, RFC 6762 §11): it answers sources on the attached
/// subnet only, and at most a few replies per source per second.
@Suite struct ResponderGuardTests {
    @Test func onlySourcesOnTheAttachedSubnetAreOnLink() {
        let eth = MDNSInterface(name: "eth0", index: 2, ipv4: [192, 168, 1, 20], netmask: [255, 255, 255, 0])
        #expect(eth.isOnLink([192, 168, 1, 77]) && eth.isOnLink([192, 168, 1, 255]))
        #expect(!eth.isOnLink([192, 168, 2, 77]) && !eth.isOnLink([8, 8, 8, 8]) && !eth.isOnLink([192, 168, 1]))
        let lo = MDNSInterface(name: "lo", index: 1, ipv4: [127, 0, 0, 1], netmask: [255, 0, 0, 0])
        #expect(lo.isOnLink([127, 0, 0, 1]) && lo.isOnLink([127, 9, 9, 9]) && !lo.isOnLink([10, 0, 0, 1]))
        // Without a netmask only the interface's own address counts.
        let bare = MDNSInterface(name: "x", index: 3, ipv4: [10, 0, 0, 5])
        #expect(bare.isOnLink([10, 0, 0, 5]) && !bare.isOnLink([10, 0, 0, 6]))
    }

    @Test func repliesPerSourceAreLimitedPerWindowAndTheTableIsBounded() {
        var limit = SourceRateLimit(limit: 3, window: .seconds(1), maxSources: 2)
        var answers: [Bool] = []
        for _ in 0..<5 { answers.append(limit.admit("a", now: .zero)) }
        #expect(answers == [true, true, true, false, false])
        let b = limit.admit("b", now: .milliseconds(100))
        let cFull = limit.admit("c", now: .milliseconds(200))     // full of sources inside their window
        let aAgain = limit.admit("a", now: .milliseconds(1001))   // a's window is over
        let cLater = limit.admit("c", now: .milliseconds(1150))   // b's entry expired and made room
        #expect(b && !cFull && aAgain && cLater)
    }

    @Test func theInterfaceListCarriesNetmasks() {
        // Loopback always exists here; its netmask is /8.
        let lo = MDNSInterface.loopback()
        #expect(lo?.netmask == [255, 0, 0, 0])
    }
}
