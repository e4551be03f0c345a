/// The drawing entry point for posters anywhere in the UI (the detail pane now, home rails
/// later): places the poster of `url` in a box of the frame when its image is decoded, and
/// says whether it did. Pure apart from the shared render cache; the caller keeps the box's
/// cells blank (text under a picture would show through symbols or be hidden by pixels).
public enum PosterCell {
    /// Draws the poster for `url` with its top-left cell at (`row`, `column`), fitted into `box`.
    /// - Returns: the cells it covers, or `nil` when nothing was drawn (no URL, posters off,
    ///   the image not decoded yet, or the box outside the frame).
    @discardableResult
    public static func draw(into frame: inout Frame, row: Int, column: Int, box: PosterBox, url: String?,
                            artwork: ArtworkShelf, cache: PosterRenderCache = .shared) -> PosterBox? {
        guard let url, artwork.settings.mode != .off, let image = artwork.image(url),
              row >= 0, column >= 0, row + box.rows <= frame.rows, column + box.columns <= frame.columns,
              let art = cache.art(url: url, image: image, box: box, settings: artwork.settings)
        else { return nil }
        frame.pictures.append(FramePicture(row: row, column: column, art: art, key: url))
        return PosterBox(columns: art.columns, rows: art.rows)
    }

    /// The fetch a box on screen needs: `url` when posters are on and it is neither loaded,
    /// loading nor failed. The reducer marks it loading and returns the effect.
    public static func request(url: String?, box: PosterBox, artwork: ArtworkShelf) -> ArtworkRequest? {
        guard let url, !url.isEmpty, artwork.settings.mode != .off, artwork[url] == nil else { return nil }
        return ArtworkRequest(url: url, box: box, settings: artwork.settings)
    }
}
