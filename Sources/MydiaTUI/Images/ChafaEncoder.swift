import CChafa
import Foundation

/// Renders a `DecodedImage` for a box of character cells with libchafa: block symbols with
/// palette colours for curses, or the kitty / sixel sequence chafa writes. The canvas settings
/// are the `chafa` command's defaults (work 5, every optimisation, no dithering in true colour),
/// so the sequences are byte for byte what `chafa -f kitty|sixel` prints for the same pixels.
/// libchafa is opened on the first render (`PosterLibraries`); without it nothing is rendered.
public enum ChafaEncoder {
    /// Colours available to symbols.
    public enum Palette: Sendable, Hashable {
        /// xterm's 256-colour palette (chafa uses entries 16–255).
        case palette256
        /// The eight ANSI colours.
        case ansi8
    }

    /// The size in cells the image takes inside a `columns` × `rows` box, keeping its aspect
    /// (a cell is `cellWidth` × `cellHeight` pixels).
    public static func fit(width: Int, height: Int, columns: Int, rows: Int, cellWidth: Int, cellHeight: Int) -> (columns: Int, rows: Int) {
        guard width > 0, height > 0, columns > 0, rows > 0, cellWidth > 0, cellHeight > 0 else { return (0, 0) }
        // Pixels of the box; the image scaled to fit, rounded to whole cells.
        let scale = min(Double(columns * cellWidth) / Double(width), Double(rows * cellHeight) / Double(height))
        let c = max(1, min(columns, Int((Double(width) * scale / Double(cellWidth)).rounded())))
        let r = max(1, min(rows, Int((Double(height) * scale / Double(cellHeight)).rounded())))
        return (c, r)
    }

    /// Block characters for exactly `columns` × `rows` cells.
    public static func symbols(_ image: DecodedImage, columns: Int, rows: Int, palette: Palette = .palette256) -> PosterArt? {
        guard columns > 0, rows > 0, image.width > 0, image.height > 0, let chafa = try? PosterLibraries.chafa.get() else { return nil }
        guard let config = chafa.chafa_canvas_config_new() else { return nil }
        defer { chafa.chafa_canvas_config_unref(config) }
        chafa.chafa_canvas_config_set_geometry(config, Int32(columns), Int32(rows))
        chafa.chafa_canvas_config_set_canvas_mode(config, palette == .palette256 ? CHAFA_CANVAS_MODE_INDEXED_240 : CHAFA_CANVAS_MODE_INDEXED_8)
        chafa.chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SYMBOLS)
        chafa.chafa_canvas_config_set_work_factor(config, 0.5)
        if let map = chafa.chafa_symbol_map_new() {
            // Blocks (halves, quadrants, sextants' older cousins) and the space: characters every
            // UTF-8 terminal font has, one column wide.
            chafa.chafa_symbol_map_add_by_tags(map, ChafaSymbolTags(rawValue: CHAFA_SYMBOL_TAG_BLOCK.rawValue | CHAFA_SYMBOL_TAG_SPACE.rawValue))
            chafa.chafa_symbol_map_remove_by_tags(map, ChafaSymbolTags(rawValue: CHAFA_SYMBOL_TAG_WIDE.rawValue | CHAFA_SYMBOL_TAG_AMBIGUOUS.rawValue))
            chafa.chafa_canvas_config_set_symbol_map(config, map)
            chafa.chafa_symbol_map_unref(map)
        }
        guard let canvas = draw(image, config, chafa) else { return nil }
        defer { chafa.chafa_canvas_unref(canvas) }
        var cells: [SymbolCell] = []
        cells.reserveCapacity(columns * rows)
        for y in 0..<Int32(rows) {
            for x in 0..<Int32(columns) {
                let scalar = Unicode.Scalar(chafa.chafa_canvas_get_char_at(canvas, x, y)) ?? " "
                var fg: Int32 = -1, bg: Int32 = -1
                chafa.chafa_canvas_get_raw_colors_at(canvas, x, y, &fg, &bg)
                cells.append(SymbolCell(Character(scalar), foreground: Int16(clamping: fg), background: Int16(clamping: bg)))
            }
        }
        return .symbols(columns: columns, rows: rows, cells: cells)
    }

    /// The kitty or sixel sequence for exactly `columns` × `rows` cells of `cellWidth` ×
    /// `cellHeight` pixels, for a terminal described by `environment` (chafa's terminal database,
    /// completed with its fallback sequences, as the `chafa` command does).
    public static func sequence(_ image: DecodedImage, mode: GraphicsMode, columns: Int, rows: Int, cellWidth: Int, cellHeight: Int,
                                environment: [String: String] = ["TERM": "xterm-256color"]) -> PosterArt? {
        let pixelMode: ChafaPixelMode
        switch mode {
        case .kitty: pixelMode = CHAFA_PIXEL_MODE_KITTY
        case .sixel: pixelMode = CHAFA_PIXEL_MODE_SIXELS
        case .symbols, .off: return nil
        }
        guard columns > 0, rows > 0, cellWidth > 0, cellHeight > 0, image.width > 0, image.height > 0,
              let chafa = try? PosterLibraries.chafa.get() else { return nil }
        guard let config = chafa.chafa_canvas_config_new() else { return nil }
        defer { chafa.chafa_canvas_config_unref(config) }
        chafa.chafa_canvas_config_set_geometry(config, Int32(columns), Int32(rows))
        chafa.chafa_canvas_config_set_cell_geometry(config, Int32(cellWidth), Int32(cellHeight))
        chafa.chafa_canvas_config_set_pixel_mode(config, pixelMode)
        chafa.chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
        chafa.chafa_canvas_config_set_work_factor(config, 0.5)
        chafa.chafa_canvas_config_set_optimizations(config, CHAFA_OPTIMIZATION_ALL)
        guard let canvas = draw(image, config, chafa) else { return nil }
        defer { chafa.chafa_canvas_unref(canvas) }
        let strings = environment.map { strdup("\($0.key)=\($0.value)") }
        defer { strings.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?] = strings + [nil]
        guard let info = withUnsafePointer(to: chafa, { api in envp.withUnsafeMutableBufferPointer { mydia_term_info(api, $0.baseAddress) } }) else {
            return nil
        }
        defer { chafa.chafa_term_info_unref(info) }
        guard let printed = chafa.chafa_canvas_print(canvas, info) else { return nil }
        defer { _ = chafa.g_string_free(printed, 1) }
        let bytes = printed.pointee.str.map { p in
            Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: printed.pointee.len))
        } ?? []
        return .sequence(mode, columns: columns, rows: rows, bytes: bytes)
    }

    private static func draw(_ image: DecodedImage, _ config: OpaquePointer, _ chafa: mydia_chafa) -> OpaquePointer? {
        guard image.rgba.count >= image.width * image.height * 4, let canvas = chafa.chafa_canvas_new(config) else { return nil }
        image.rgba.withUnsafeBufferPointer { pixels in
            chafa.chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, pixels.baseAddress,
                                         Int32(image.width), Int32(image.height), Int32(image.width * 4))
        }
        return canvas
    }
}
