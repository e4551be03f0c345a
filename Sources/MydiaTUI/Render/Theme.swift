/// How many colours the terminal can show; chosen once at start (PROTOCOL.md §13.40).
public enum ColorLevel: String, Sendable, Hashable {
    /// 256-colour palette.
    case palette256
    /// The eight ANSI colours.
    case ansi8
    /// No colour at all (`NO_COLOR`, a monochrome terminal, or the `mono` theme): attributes only.
    case mono

    /// Picks the level: `NO_COLOR` set (to anything, per no-color.org) or no colour support → mono.
    public static func detect(hasColors: Bool, colors: Int, environment: [String: String]) -> ColorLevel {
        if environment["NO_COLOR"] != nil || !hasColors { return .mono }
        return colors >= 256 ? .palette256 : .ansi8
    }
}

/// One style's look: colours (−1 = the terminal's default) and attributes.
public struct Look: Sendable, Hashable {
    public var foreground: Int
    public var background: Int
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false

    /// A look.
    public init(_ foreground: Int = -1, _ background: Int = -1, bold: Bool = false, reverse: Bool = false, underline: Bool = false, dim: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }
}

/// A named set of looks for every `Style`, for each colour level. Without colour every state
/// still reads differently: RELAY/DUAL/DIRECT are words in the bar, and styles fall back to
/// bold, reverse and underline.
public struct Theme: Sendable, Hashable {
    /// The theme's name as the config file spells it.
    public var name: String
    var palette256: [Style: Look]
    var ansi8: [Style: Look]

    /// The look of `style` at `level`.
    public func look(_ style: Style, at level: ColorLevel) -> Look {
        switch level {
        case .palette256: palette256[style] ?? Look()
        case .ansi8: ansi8[style] ?? Look()
        case .mono: Self.mono[style] ?? Look()
        }
    }

    /// Attributes only, for `NO_COLOR` and monochrome terminals.
    static let mono: [Style: Look] = [
        .normal: Look(), .dim: Look(dim: true), .title: Look(bold: true), .heading: Look(bold: true, underline: true),
        .selected: Look(reverse: true), .accent: Look(bold: true), .error: Look(bold: true), .warning: Look(bold: true),
        .success: Look(), .barRelay: Look(bold: true, reverse: true), .barDual: Look(bold: true, reverse: true),
        .barDirect: Look(bold: true, reverse: true), .barOffline: Look(bold: true, reverse: true),
        .barText: Look(reverse: true), .overlay: Look(),
    ]

    /// Built-in themes by name.
    public static let all: [String: Theme] = [dark.name: dark, light.name: light, monoTheme.name: monoTheme]
    static let monoTheme = Theme(name: "mono", palette256: mono, ansi8: mono)

    /// The default: light text on the terminal's background, amber relay, green direct.
    public static let dark = Theme(
        name: "dark",
        palette256: [
            .normal: Look(), .dim: Look(245), .title: Look(231, bold: true), .heading: Look(110, bold: true),
            .selected: Look(231, 24, bold: true), .accent: Look(179), .error: Look(203, bold: true), .warning: Look(214),
            .success: Look(114), .barRelay: Look(16, 214, bold: true), .barDual: Look(16, 81, bold: true),
            .barDirect: Look(16, 114, bold: true), .barOffline: Look(231, 160, bold: true), .barText: Look(252, 236),
            .overlay: Look(252, 235),
        ],
        ansi8: [
            .normal: Look(), .dim: Look(dim: true), .title: Look(bold: true), .heading: Look(6, bold: true),
            .selected: Look(7, 4, bold: true), .accent: Look(3), .error: Look(1, bold: true), .warning: Look(3),
            .success: Look(2), .barRelay: Look(0, 3, bold: true), .barDual: Look(0, 6, bold: true),
            .barDirect: Look(0, 2, bold: true), .barOffline: Look(7, 1, bold: true), .barText: Look(7, 0, reverse: true),
            .overlay: Look(),
        ])

    /// For light terminal backgrounds.
    public static let light = Theme(
        name: "light",
        palette256: [
            .normal: Look(), .dim: Look(243), .title: Look(16, bold: true), .heading: Look(25, bold: true),
            .selected: Look(16, 153, bold: true), .accent: Look(130), .error: Look(124, bold: true), .warning: Look(130),
            .success: Look(28), .barRelay: Look(16, 220, bold: true), .barDual: Look(16, 117, bold: true),
            .barDirect: Look(16, 120, bold: true), .barOffline: Look(231, 124, bold: true), .barText: Look(16, 252),
            .overlay: Look(16, 255),
        ],
        ansi8: dark.ansi8)
}
