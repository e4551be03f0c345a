// Home: the Continue watching, Next up and Recently added rails. On a wide terminal they are
// horizontal rails of cards — up/down pick the rail, left/right (h/l) the card; on a narrow one,
// three lists (Tab picks the list).
extension AppState {
    /// Home's rails, top to bottom.
    static let rails: [ListID] = [.continueWatching, .nextUp, .recentlyAdded]

    /// Moves the focus to the next (or previous) rail.
    mutating func cycleHomeFocus(_ step: Int) {
        let i = Self.rails.firstIndex(of: homeFocus) ?? 0
        homeFocus = Self.rails[((i + step) % Self.rails.count + Self.rails.count) % Self.rails.count]
    }

    /// Left/right on the rails: the card step, `nil` for any other key (Enter still opens, Esc
    /// still goes back).
    func railStep(_ key: Key) -> Int? {
        switch key {
        case .left, .character("h"): -1
        case .right, .character("l"): 1
        default: nil
        }
    }
}
