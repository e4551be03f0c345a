import Testing
@testable import MydiaTUI

@Suite struct MydiaTUIPlaceholderTests {
    @Test func moduleLinks() { _ = MydiaTUIModule.self }
}
