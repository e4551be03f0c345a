import TOMLKit

extension TUIConfig {
    /// Reads the `[ui]` table.
    mutating func readUI(_ ui: TOMLTable) throws(Error) {
        for key in ui.keys {
            let value = ui[key]
            switch key {
            case "images":
                guard let setting = value?.string.flatMap(ImagesSetting.init(rawValue:)) else {
                    throw Error(path: "", problem: "ui.images must be \"auto\", \"kitty\", \"sixel\", \"symbols\" or \"off\".")
                }
                images = setting
            case "image_cache_mb":
                guard let megabytes = value?.int, (0...100_000).contains(megabytes) else {
                    throw Error(path: "", problem: "ui.image_cache_mb must be a whole number of megabytes from 0 to 100000.")
                }
                imageCacheMB = megabytes
            case "mouse":
                guard let on = value?.bool else { throw Error(path: "", problem: "ui.mouse must be true or false.") }
                mouse = on
            default:
                throw Error(path: "", problem: "the setting ui.\(key) is not known (known: images, image_cache_mb, mouse).")
            }
        }
    }
}
