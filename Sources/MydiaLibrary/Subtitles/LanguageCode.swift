import Foundation

/// ISO 639 language codes as subtitle tracks carry them (PROTOCOL.md §14.1 `SubtitleTrack.language`
/// is ISO 639-2): two-letter ISO 639-1 codes, the terminology forms of ISO 639-2 (`deu`, `fra`)
/// and English names (`German`) all become the bibliographic ISO 639-2 code Matroska writes
/// (`ger`, `fre`), so one language has one code whichever way a track was labelled.
public enum LanguageCode {
    /// The code for an undetermined language.
    public static let undetermined = "und"

    /// The ISO 639-2 code of a container's language tag: a known code or name in any of the forms
    /// above, any other three-letter code as it is (lowercased), `und` for anything else. A region
    /// (`pt-BR`, `en_US`) is dropped.
    public static func iso639_2(_ tag: String?) -> String {
        guard let tag else { return undetermined }
        let base = primarySubtag(tag)
        if let known = lookup(base) { return known }
        if base.count == 3, base.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) { return base }
        return undetermined
    }

    /// The ISO 639-2 code a word of a file name stands for, or `nil` when it is not a language this
    /// table knows: stricter than ``iso639_2(_:)``, since a name's words are mostly not languages.
    public static func fromFileNameWord(_ word: String) -> String? {
        lookup(primarySubtag(word))
    }

    /// The English name of an ISO 639-2 code (either form), if the table knows it.
    public static func name(_ code: String) -> String? {
        guard let b = lookup(code.lowercased()) else { return nil }
        return table.first { $0.b == b }?.name
    }

    private static func primarySubtag(_ tag: String) -> String {
        let trimmed = tag.trimmingCharacters(in: .whitespaces).lowercased()
        return String(trimmed.split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "")
    }

    private static func lookup(_ key: String) -> String? {
        guard !key.isEmpty else { return nil }
        if key == undetermined { return undetermined }
        return index[key]
    }

    /// Every spelling → bibliographic code.
    private static let index: [String: String] = {
        var map: [String: String] = [:]
        for entry in table {
            if !entry.one.isEmpty { map[entry.one] = entry.b }
            map[entry.b] = entry.b
            if let t = entry.t { map[t] = entry.b }
            map[entry.name.lowercased()] = entry.b
        }
        // Common extra spellings in subtitle file names.
        map["pob"] = "por"
        return map
    }()

    /// ISO 639-1, ISO 639-2/B, ISO 639-2/T where it differs, English name.
    private static let table: [(one: String, b: String, t: String?, name: String)] = [
        ("aa", "aar", nil, "Afar"),
        ("ab", "abk", nil, "Abkhazian"),
        ("af", "afr", nil, "Afrikaans"),
        ("ak", "aka", nil, "Akan"),
        ("am", "amh", nil, "Amharic"),
        ("an", "arg", nil, "Aragonese"),
        ("ar", "ara", nil, "Arabic"),
        ("as", "asm", nil, "Assamese"),
        ("av", "ava", nil, "Avaric"),
        ("ay", "aym", nil, "Aymara"),
        ("az", "aze", nil, "Azerbaijani"),
        ("ba", "bak", nil, "Bashkir"),
        ("be", "bel", nil, "Belarusian"),
        ("bg", "bul", nil, "Bulgarian"),
        ("bi", "bis", nil, "Bislama"),
        ("bm", "bam", nil, "Bambara"),
        ("bn", "ben", nil, "Bengali"),
        ("bo", "tib", "bod", "Tibetan"),
        ("br", "bre", nil, "Breton"),
        ("bs", "bos", nil, "Bosnian"),
        ("ca", "cat", nil, "Catalan"),
        ("ce", "che", nil, "Chechen"),
        ("ch", "cha", nil, "Chamorro"),
        ("co", "cos", nil, "Corsican"),
        ("cr", "cre", nil, "Cree"),
        ("cs", "cze", "ces", "Czech"),
        ("cu", "chu", nil, "Church Slavic"),
        ("cv", "chv", nil, "Chuvash"),
        ("cy", "wel", "cym", "Welsh"),
        ("da", "dan", nil, "Danish"),
        ("de", "ger", "deu", "German"),
        ("dv", "div", nil, "Divehi"),
        ("dz", "dzo", nil, "Dzongkha"),
        ("ee", "ewe", nil, "Ewe"),
        ("el", "gre", "ell", "Greek"),
        ("en", "eng", nil, "English"),
        ("eo", "epo", nil, "Esperanto"),
        ("es", "spa", nil, "Spanish"),
        ("et", "est", nil, "Estonian"),
        ("eu", "baq", "eus", "Basque"),
        ("fa", "per", "fas", "Persian"),
        ("ff", "ful", nil, "Fulah"),
        ("fi", "fin", nil, "Finnish"),
        ("fj", "fij", nil, "Fijian"),
        ("fo", "fao", nil, "Faroese"),
        ("fr", "fre", "fra", "French"),
        ("fy", "fry", nil, "Western Frisian"),
        ("ga", "gle", nil, "Irish"),
        ("gd", "gla", nil, "Scottish Gaelic"),
        ("gl", "glg", nil, "Galician"),
        ("gn", "grn", nil, "Guarani"),
        ("gu", "guj", nil, "Gujarati"),
        ("gv", "glv", nil, "Manx"),
        ("ha", "hau", nil, "Hausa"),
        ("he", "heb", nil, "Hebrew"),
        ("hi", "hin", nil, "Hindi"),
        ("ho", "hmo", nil, "Hiri Motu"),
        ("hr", "hrv", nil, "Croatian"),
        ("ht", "hat", nil, "Haitian"),
        ("hu", "hun", nil, "Hungarian"),
        ("hy", "arm", "hye", "Armenian"),
        ("hz", "her", nil, "Herero"),
        ("ia", "ina", nil, "Interlingua"),
        ("id", "ind", nil, "Indonesian"),
        ("ie", "ile", nil, "Interlingue"),
        ("ig", "ibo", nil, "Igbo"),
        ("ii", "iii", nil, "Sichuan Yi"),
        ("ik", "ipk", nil, "Inupiaq"),
        ("io", "ido", nil, "Ido"),
        ("is", "ice", "isl", "Icelandic"),
        ("it", "ita", nil, "Italian"),
        ("iu", "iku", nil, "Inuktitut"),
        ("ja", "jpn", nil, "Japanese"),
        ("jv", "jav", nil, "Javanese"),
        ("ka", "geo", "kat", "Georgian"),
        ("kg", "kon", nil, "Kongo"),
        ("ki", "kik", nil, "Kikuyu"),
        ("kj", "kua", nil, "Kuanyama"),
        ("kk", "kaz", nil, "Kazakh"),
        ("kl", "kal", nil, "Kalaallisut"),
        ("km", "khm", nil, "Khmer"),
        ("kn", "kan", nil, "Kannada"),
        ("ko", "kor", nil, "Korean"),
        ("kr", "kau", nil, "Kanuri"),
        ("ks", "kas", nil, "Kashmiri"),
        ("ku", "kur", nil, "Kurdish"),
        ("kv", "kom", nil, "Komi"),
        ("kw", "cor", nil, "Cornish"),
        ("ky", "kir", nil, "Kyrgyz"),
        ("la", "lat", nil, "Latin"),
        ("lb", "ltz", nil, "Luxembourgish"),
        ("lg", "lug", nil, "Ganda"),
        ("li", "lim", nil, "Limburgish"),
        ("ln", "lin", nil, "Lingala"),
        ("lo", "lao", nil, "Lao"),
        ("lt", "lit", nil, "Lithuanian"),
        ("lu", "lub", nil, "Luba-Katanga"),
        ("lv", "lav", nil, "Latvian"),
        ("mg", "mlg", nil, "Malagasy"),
        ("mh", "mah", nil, "Marshallese"),
        ("mi", "mao", "mri", "Maori"),
        ("mk", "mac", "mkd", "Macedonian"),
        ("ml", "mal", nil, "Malayalam"),
        ("mn", "mon", nil, "Mongolian"),
        ("mr", "mar", nil, "Marathi"),
        ("ms", "may", "msa", "Malay"),
        ("mt", "mlt", nil, "Maltese"),
        ("my", "bur", "mya", "Burmese"),
        ("na", "nau", nil, "Nauru"),
        ("nb", "nob", nil, "Norwegian Bokmal"),
        ("nd", "nde", nil, "North Ndebele"),
        ("ne", "nep", nil, "Nepali"),
        ("ng", "ndo", nil, "Ndonga"),
        ("nl", "dut", "nld", "Dutch"),
        ("nn", "nno", nil, "Norwegian Nynorsk"),
        ("no", "nor", nil, "Norwegian"),
        ("nr", "nbl", nil, "South Ndebele"),
        ("nv", "nav", nil, "Navajo"),
        ("ny", "nya", nil, "Chichewa"),
        ("oc", "oci", nil, "Occitan"),
        ("oj", "oji", nil, "Ojibwa"),
        ("om", "orm", nil, "Oromo"),
        ("or", "ori", nil, "Oriya"),
        ("os", "oss", nil, "Ossetian"),
        ("pa", "pan", nil, "Punjabi"),
        ("pi", "pli", nil, "Pali"),
        ("pl", "pol", nil, "Polish"),
        ("ps", "pus", nil, "Pashto"),
        ("pt", "por", nil, "Portuguese"),
        ("qu", "que", nil, "Quechua"),
        ("rm", "roh", nil, "Romansh"),
        ("rn", "run", nil, "Rundi"),
        ("ro", "rum", "ron", "Romanian"),
        ("ru", "rus", nil, "Russian"),
        ("rw", "kin", nil, "Kinyarwanda"),
        ("sa", "san", nil, "Sanskrit"),
        ("sc", "srd", nil, "Sardinian"),
        ("sd", "snd", nil, "Sindhi"),
        ("se", "sme", nil, "Northern Sami"),
        ("sg", "sag", nil, "Sango"),
        ("si", "sin", nil, "Sinhala"),
        ("sk", "slo", "slk", "Slovak"),
        ("sl", "slv", nil, "Slovenian"),
        ("sm", "smo", nil, "Samoan"),
        ("sn", "sna", nil, "Shona"),
        ("so", "som", nil, "Somali"),
        ("sq", "alb", "sqi", "Albanian"),
        ("sr", "srp", nil, "Serbian"),
        ("ss", "ssw", nil, "Swati"),
        ("st", "sot", nil, "Southern Sotho"),
        ("su", "sun", nil, "Sundanese"),
        ("sv", "swe", nil, "Swedish"),
        ("sw", "swa", nil, "Swahili"),
        ("ta", "tam", nil, "Tamil"),
        ("te", "tel", nil, "Telugu"),
        ("tg", "tgk", nil, "Tajik"),
        ("th", "tha", nil, "Thai"),
        ("ti", "tir", nil, "Tigrinya"),
        ("tk", "tuk", nil, "Turkmen"),
        ("tl", "tgl", nil, "Tagalog"),
        ("tn", "tsn", nil, "Tswana"),
        ("to", "ton", nil, "Tonga"),
        ("tr", "tur", nil, "Turkish"),
        ("ts", "tso", nil, "Tsonga"),
        ("tt", "tat", nil, "Tatar"),
        ("tw", "twi", nil, "Twi"),
        ("ty", "tah", nil, "Tahitian"),
        ("ug", "uig", nil, "Uyghur"),
        ("uk", "ukr", nil, "Ukrainian"),
        ("ur", "urd", nil, "Urdu"),
        ("uz", "uzb", nil, "Uzbek"),
        ("ve", "ven", nil, "Venda"),
        ("vi", "vie", nil, "Vietnamese"),
        ("vo", "vol", nil, "Volapuk"),
        ("wa", "wln", nil, "Walloon"),
        ("wo", "wol", nil, "Wolof"),
        ("xh", "xho", nil, "Xhosa"),
        ("yi", "yid", nil, "Yiddish"),
        ("yo", "yor", nil, "Yoruba"),
        ("za", "zha", nil, "Zhuang"),
        ("zh", "chi", "zho", "Chinese"),
        ("zu", "zul", nil, "Zulu"),
        ("", "fil", nil, "Filipino"),
    ]
}
