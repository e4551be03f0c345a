/// Which key does what: vim keys and arrows by default, remappable from the config file.
/// A key bound to two actions is a configuration error (`KeyMap.Error.conflict`).
public struct KeyMap: Sendable, Equatable {
    /// Why a key map cannot be built.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case conflict(key: String, first: Action, second: Action)
        case unknownKey(action: String, key: String)
        case unknownAction(String)
        case unbound(Action)

        public var description: String {
            switch self {
            case .conflict(let key, let a, let b):
                "The key \(key) is bound to both \(a.rawValue) and \(b.rawValue) — give one of them another key in [keys]."
            case .unknownKey(let action, let key):
                "The key name \"\(key)\" for \(action) is not known — use names like j, G, Space, Down, Ctrl-d or F1."
            case .unknownAction(let name):
                "[keys] has no action called \"\(name)\" — the actions are: \(Action.allCases.map(\.rawValue).joined(separator: ", "))."
            case .unbound(let action):
                "The action \(action.rawValue) has no key left — bind at least one key to it."
            }
        }
    }

    /// Keys per action, in the order shown by the help overlay.
    public private(set) var bindings: [Action: [Key]]
    private var lookup: [Key: Action]

    /// The defaults: vim and arrows, Enter, `/`, `q`, `?`.
    public static let defaultBindings: [Action: [Key]] = [
        .up: [.character("k"), .up], .down: [.character("j"), .down],
        .pageUp: [.control("u"), .pageUp], .pageDown: [.control("d"), .pageDown],
        .top: [.character("g"), .home], .bottom: [.character("G"), .end],
        .open: [.enter, .character("l"), .right], .back: [.escape, .character("h"), .left, .backspace],
        .search: [.character("/")], .quit: [.character("q")], .help: [.character("?")],
        .home: [.character("1")], .movies: [.character("2")], .shows: [.character("3")], .devices: [.character("4")],
        .connection: [.character("c")], .reprobe: [.character("r")], .refresh: [.control("r")],
        .stop: [.character("X")], .cancelCountdown: [.character("x")], .nextPane: [.tab],
        .sort: [.character("o")], .reverseSort: [.character("O")], .unwatchedOnly: [.character("u")],
        .genre: [.character("F")], .filter: [.character("f")], .watched: [.character("w")], .servers: [.character("S")],
        .audioTrack: [.character("a")], .subtitleTrack: [.character("s")], .download: [.character("d")],
        .playMenu: [.character("p")],
    ]

    /// The default key map.
    public static let standard = try! KeyMap(overrides: [:])

    /// Builds a key map: each action in `overrides` gets exactly the keys given (its defaults
    /// are dropped), every other action keeps its defaults.
    public init(overrides: [String: [String]]) throws(Error) {
        var bindings = Self.defaultBindings
        for (name, keyNames) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let action = Action(rawValue: name) else { throw .unknownAction(name) }
            var keys: [Key] = []
            for keyName in keyNames {
                guard let key = Key(name: keyName) else { throw .unknownKey(action: name, key: keyName) }
                if !keys.contains(key) { keys.append(key) }
            }
            guard !keys.isEmpty else { throw .unbound(action) }
            bindings[action] = keys
        }
        var lookup: [Key: Action] = [:]
        for action in Action.allCases {
            for key in bindings[action] ?? [] {
                if let other = lookup[key] { throw .conflict(key: key.name, first: other, second: action) }
                lookup[key] = action
            }
        }
        self.bindings = bindings
        self.lookup = lookup
    }

    /// The action bound to `key`, if any.
    public func action(for key: Key) -> Action? { lookup[key] }

    /// The keys of an action, as the help overlay and hints spell them (`j/Down`).
    public func keys(_ action: Action) -> String {
        (bindings[action] ?? []).map(\.name).joined(separator: "/")
    }

    /// The first key of an action (for one-key hints like "? help").
    public func firstKey(_ action: Action) -> String { bindings[action]?.first?.name ?? "" }
}
