package import Foundation
package import NadiCore

/// The words of alert messages, in Bahasa Indonesia (the default) or English, with times in the
/// deployment's zone (WIB, WITA, WIT).
package struct AlertText: Sendable {
    package let language: MessageLanguage
    package let time: LocalTime
    /// The console's or API's public address; with it, messages link to the device.
    package let publicURL: URL?
    /// Where a device's page is under `publicURL`: the console's `/devices/` (what a person can
    /// open from a Telegram group), or the API's `/v1/devices/` when the console is off.
    package let devicePath: String

    package init(language: MessageLanguage, zone: TimeZone, publicURL: URL? = nil, devicePath: String = "/devices/") {
        self.language = language
        self.time = LocalTime(zone: zone)
        self.publicURL = publicURL
        self.devicePath = devicePath
    }

    /// The message as plain text (webhook bodies carry it in `message`).
    package func plain(_ payload: AlertPayload) -> String {
        render(payload, bold: { $0 }, escape: { $0 })
    }

    /// The message for Telegram's `parse_mode: HTML`: everything from the inventory escaped.
    package func telegramHTML(_ payload: AlertPayload) -> String {
        render(payload, bold: { "<b>\($0)</b>" }, escape: Self.escapeHTML)
    }

    /// A link to the device, when the public address is known.
    package func deviceLink(_ payload: AlertPayload) -> URL? {
        guard let publicURL, !payload.device.isEmpty else { return nil }
        let id = payload.device.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? payload.device
        return URL(string: publicURL.absoluteString.trimmingSuffix("/") + devicePath + id)
    }

    private func render(_ payload: AlertPayload, bold: (String) -> String, escape: (String) -> String) -> String {
        let who = bold(escape([payload.device, payload.name].filter { !$0.isEmpty }.joined(separator: " ")))
        let en = language == .en
        var lines: [String]
        switch payload.kind {
        case .test:
            lines = [
                en
                    ? "🔔 Test message from Nadi for channel \(escape(payload.channel)). If you can read this, alerts work."
                    : "🔔 Pesan uji dari Nadi untuk kanal \(escape(payload.channel)). Jika pesan ini terbaca, notifikasi berfungsi."
            ]
        case .down where payload.picture != nil:
            let since = payload.since.map(moment) ?? "?"
            let problem = Self.pictureProblem(payload.picture, language: language)
            lines = [en ? "🟠 \(who): \(problem) since \(since)." : "🟠 \(who): \(problem) sejak \(since)."]
        case .recovery where payload.picture != nil:
            let back = payload.ended.map(moment) ?? "?"
            let lasted = payload.duration.map { DurationText.spoken($0, language: language) } ?? "?"
            let problem = Self.pictureProblem(payload.picture, language: language)
            lines = [
                en
                    ? "✅ \(who): picture good again at \(back), after \(lasted) of \(problem)."
                    : "✅ \(who): gambar kembali baik pukul \(back), setelah \(problem) selama \(lasted)."
            ]
        case .down:
            let since = payload.since.map(moment) ?? "?"
            var line = en ? "🔴 \(who) down since \(since)" : "🔴 \(who) mati sejak \(since)"
            if payload.dependentsDown > 0 {
                line +=
                    en
                    ? " — \(payload.dependentsDown) \(payload.dependentsDown == 1 ? "device" : "devices") behind it unreachable"
                    : " — \(payload.dependentsDown) perangkat di belakangnya tidak terjangkau"
            }
            lines = [line + "."]
        case .recovery:
            let back = payload.ended.map(moment) ?? "?"
            let lasted = payload.duration.map { DurationText.spoken($0, language: language) } ?? "?"
            var line = en ? "✅ \(who) back up at \(back) after \(lasted) down." : "✅ \(who) pulih pukul \(back) setelah mati \(lasted)."
            if payload.dependentsDown > 0 {
                line +=
                    en
                    ? " \(payload.dependentsDown) \(payload.dependentsDown == 1 ? "device" : "devices") behind it were affected."
                    : " \(payload.dependentsDown) perangkat di belakangnya ikut terdampak."
            }
            lines = [line]
        }
        if let step = payload.step, payload.kind == .down {
            let waited = DurationText.spoken(Double(payload.unacknowledgedSeconds ?? 0), language: language)
            lines.insert(
                en
                    ? "⏫ Escalation \(step): not acknowledged for \(waited)\(payload.escalatedFrom.map { " (from channel \(escape($0)))" } ?? "")."
                    : "⏫ Eskalasi ke-\(step): belum ditanggapi selama \(waited)\(payload.escalatedFrom.map { " (dari kanal \(escape($0)))" } ?? "").",
                at: 0)
        }
        if payload.kind != .test {
            let kind = Self.kindName(payload.deviceKind, language: language)
            lines.append(en ? "\(kind) · region \(escape(payload.region))" : "\(kind) · wilayah \(escape(payload.region))")
            if let link = deviceLink(payload) { lines.append(escape(link.absoluteString)) }
        }
        return lines.joined(separator: "\n")
    }

    /// The five body parameters of a WhatsApp template message, in the order the README's template
    /// texts use them. Incident: headline, since, kind · region, devices behind it, link. Recovery:
    /// device, back at, duration, kind · region, link. WhatsApp refuses parameters with line breaks,
    /// tabs or more than four spaces in a row, so none has them.
    package func whatsappParameters(_ payload: AlertPayload, now: Date = Date()) -> [String] {
        let en = language == .en
        let who = [payload.device, payload.name].filter { !$0.isEmpty }.joined(separator: " ")
        let place =
            "\(Self.kindName(payload.deviceKind, language: language)) · \(en ? "region" : "wilayah") \(payload.region)"
        let link = deviceLink(payload)?.absoluteString ?? "-"
        var parameters: [String]
        switch payload.kind {
        case .test:
            parameters = [
                en ? "Test message from Nadi for channel \(payload.channel)" : "Pesan uji dari Nadi untuk kanal \(payload.channel)",
                moment(now), "-", "0", "-",
            ]
        case .down:
            var headline =
                payload.picture != nil
                ? "\(who): \(Self.pictureProblem(payload.picture, language: language))" : (en ? "\(who) down" : "\(who) mati")
            if let step = payload.step {
                let waited = DurationText.spoken(Double(payload.unacknowledgedSeconds ?? 0), language: language)
                headline =
                    (en ? "Escalation \(step), not acknowledged for \(waited): " : "Eskalasi ke-\(step), belum ditanggapi \(waited): ")
                    + headline
            }
            parameters = [headline, payload.since.map(moment) ?? "?", place, String(payload.dependentsDown), link]
        case .recovery:
            parameters = [
                who, payload.ended.map(moment) ?? "?", payload.duration.map { DurationText.spoken($0, language: language) } ?? "?", place,
                link,
            ]
        }
        return parameters.map(Self.templateParameter)
    }

    /// Text as a template parameter takes it: one line, no tabs, at most four spaces in a row, ≤ 1024 characters.
    static func templateParameter(_ text: String) -> String {
        var flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
        while flat.contains("     ") { flat = flat.replacingOccurrences(of: "     ", with: " ") }
        let trimmed = flat.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? "-" : String(trimmed.prefix(1024))
    }

    /// `1 Des 2026 10:02 WIB`.
    package func moment(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = time.zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let months =
            language == .en
            ? ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            : ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
        let month = months[max(0, min(11, (parts.month ?? 1) - 1))]
        let clock = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        return "\(parts.day ?? 1) \(month) \(parts.year ?? 1970) \(clock) \(time.zoneName)"
    }

    /// `gambar beku`, `image frozen`, … as people read it.
    package static func pictureProblem(_ problem: PictureProblem?, language: MessageLanguage) -> String {
        switch (problem, language) {
        case (.black?, .id): "gambar hitam"
        case (.black?, .en): "black picture"
        case (.frozen?, .id): "gambar beku"
        case (.frozen?, .en): "frozen picture"
        case (.blurred?, .id): "gambar buram"
        case (.blurred?, .en): "blurred picture"
        case (.lowFrameRate?, .id): "fps rendah"
        case (.lowFrameRate?, .en): "low frame rate"
        case (nil, .id): "gambar bermasalah"
        case (nil, .en): "bad picture"
        }
    }

    static func kindName(_ kind: String, language: MessageLanguage) -> String {
        switch (DeviceKind(rawValue: kind), language) {
        case (.fiberLink, .id): "Link fiber"
        case (.fiberLink, .en): "Fiber link"
        case (.cctv, .id): "Kamera CCTV"
        case (.cctv, .en): "CCTV camera"
        case (.videotron, _): "Videotron"
        case (.attendance, .id): "Mesin absensi"
        case (.attendance, .en): "Attendance device"
        case (nil, _): kind
        }
    }

    /// Escapes text for Telegram's HTML parse mode (it takes `&lt;`, `&gt;`, `&amp;`, `&quot;` and numeric entities).
    package static func escapeHTML(_ text: String) -> String { HTMLReport.escape(text) }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
