import Foundation

/// A subtitle language the user prefers (`--sub`, `[player] subtitle_language`): an ISO 639-1
/// code (`en`) or an ISO 639-2 code in either form (`eng`; `ger` or `deu`). It is kept as the
/// bibliographic ISO 639-2 code the server labels tracks with (PROTOCOL.md §14.1
/// `SubtitleTrack.language`), so `de`, `deu` and `ger` all pick a `ger` track.
public struct SubtitleLanguage: Sendable, Hashable, CustomStringConvertible {
    /// The bibliographic ISO 639-2 code (`eng`, `ger`), or another three-letter code as given.
    public let code: String

    /// Reads a code; `nil` for anything but two or three ASCII letters (a two-letter one must be
    /// an ISO 639-1 code). A region (`en-US`, `pt_BR`) is dropped.
    public init?(_ text: String) {
        let base = text.trimmingCharacters(in: .whitespaces).lowercased()
            .split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        guard (2...3).contains(base.count), base.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) else { return nil }
        if base.count == 2 {
            guard let code = Self.fromISO639_1[base] else { return nil }
            self.code = code
        } else {
            code = Self.terminologyToBibliographic[base] ?? base
        }
    }

    /// Whether a track labelled `language` (as the server sends it) is in this language.
    public func matches(_ language: String) -> Bool {
        SubtitleLanguage(language)?.code == code
    }

    public var description: String { code }

    /// Every way files label this language: the ISO 639-2/B code, its 639-2/T twin and its
    /// 639-1 code (`ger`, `deu`, `de`), for mpv's `alang`/`slang`.
    public var spellings: [String] {
        var all = [code]
        all += Self.terminologyToBibliographic.filter { $0.value == code }.map(\.key).sorted()
        all += Self.fromISO639_1.filter { $0.value == code }.map(\.key).sorted()
        return all
    }

    /// ISO 639-1 → ISO 639-2/B.
    private static let fromISO639_1 = pairs(
        "aa:aar ab:abk af:afr ak:aka am:amh an:arg ar:ara as:asm av:ava ay:aym az:aze ba:bak be:bel bg:bul " +
        "bi:bis bm:bam bn:ben bo:tib br:bre bs:bos ca:cat ce:che ch:cha co:cos cr:cre cs:cze cu:chu cv:chv " +
        "cy:wel da:dan de:ger dv:div dz:dzo ee:ewe el:gre en:eng eo:epo es:spa et:est eu:baq fa:per ff:ful " +
        "fi:fin fj:fij fo:fao fr:fre fy:fry ga:gle gd:gla gl:glg gn:grn gu:guj gv:glv ha:hau he:heb hi:hin " +
        "ho:hmo hr:hrv ht:hat hu:hun hy:arm hz:her ia:ina id:ind ie:ile ig:ibo ii:iii ik:ipk io:ido is:ice " +
        "it:ita iu:iku ja:jpn jv:jav ka:geo kg:kon ki:kik kj:kua kk:kaz kl:kal km:khm kn:kan ko:kor kr:kau " +
        "ks:kas ku:kur kv:kom kw:cor ky:kir la:lat lb:ltz lg:lug li:lim ln:lin lo:lao lt:lit lu:lub lv:lav " +
        "mg:mlg mh:mah mi:mao mk:mac ml:mal mn:mon mr:mar ms:may mt:mlt my:bur na:nau nb:nob nd:nde ne:nep " +
        "ng:ndo nl:dut nn:nno no:nor nr:nbl nv:nav ny:nya oc:oci oj:oji om:orm or:ori os:oss pa:pan pi:pli " +
        "pl:pol ps:pus pt:por qu:que rm:roh rn:run ro:rum ru:rus rw:kin sa:san sc:srd sd:snd se:sme sg:sag " +
        "si:sin sk:slo sl:slv sm:smo sn:sna so:som sq:alb sr:srp ss:ssw st:sot su:sun sv:swe sw:swa ta:tam " +
        "te:tel tg:tgk th:tha ti:tir tk:tuk tl:tgl tn:tsn to:ton tr:tur ts:tso tt:tat tw:twi ty:tah ug:uig " +
        "uk:ukr ur:urd uz:uzb ve:ven vi:vie vo:vol wa:wln wo:wol xh:xho yi:yid yo:yor za:zha zh:chi zu:zul")

    /// ISO 639-2/T → ISO 639-2/B, where they differ.
    private static let terminologyToBibliographic = pairs(
        "bod:tib ces:cze cym:wel deu:ger ell:gre eus:baq fas:per fra:fre hye:arm isl:ice kat:geo mri:mao " +
        "mkd:mac msa:may mya:bur nld:dut ron:rum slk:slo sqi:alb zho:chi")

    private static func pairs(_ text: String) -> [String: String] {
        var map: [String: String] = [:]
        for pair in text.split(separator: " ") {
            let parts = pair.split(separator: ":")
            if parts.count == 2 { map[String(parts[0])] = String(parts[1]) }
        }
        return map
    }
}
