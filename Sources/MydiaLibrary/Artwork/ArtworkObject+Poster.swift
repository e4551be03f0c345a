extension ArtworkObject {
    /// The artwork of a movie or show: its poster at this server's artwork route
    /// (instance-relative, fetched with the bearer like any §7 endpoint).
    init(kind: ArtworkStore.Kind, id: String) {
        self.init(posterUrl: ArtworkStore.posterPath(kind: kind, id: id), thumbnailUrl: nil)
    }
}
