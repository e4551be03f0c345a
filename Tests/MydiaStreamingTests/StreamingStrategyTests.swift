import MydiaStreaming
import Testing

@Suite struct StreamingStrategyTests {
    @Test func wireNames() { #expect(StreamingStrategy.allCases.map(\.rawValue) == ["HLS_COPY", "TRANSCODE"]) }
}
