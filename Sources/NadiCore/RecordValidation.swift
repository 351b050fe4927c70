package import Foundation

/// Per-record, kind-aware validation. Each function returns the stored form or the reason, said for
/// the person who sent it.
package enum RecordValidation {
    /// 1–`maxLength` ASCII letters, digits, '.', '_', ':' or '-', starting with a letter or digit.
    package static func isIdentifier(_ text: String, maxLength: Int = 128) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, bytes.count <= maxLength, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-")
        }
    }

    /// An NPSN: 8 digits or capital letters.
    package static func isNPSN(_ text: String) -> Bool {
        text.utf8.count == 8 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }
    }

    /// A serial number as attendance devices send it in ZKTeco PUSH (`?SN=`): 1–64 letters, digits,
    /// `-` or `_`. Inventory refuses any other serial, since `/iclock` could never match it.
    package static func isDeviceSerial(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// Why `text` cannot be stored, if it holds a NUL character (PostgreSQL's text and jsonb refuse U+0000).
    static func nulProblem(_ field: String, _ text: String?) -> String? {
        guard let text, text.utf8.contains(0) else { return nil }
        return "\(field) contains a NUL character (\\u0000), which cannot be stored"
    }

    /// Text for an error message: control characters shown as escapes, at most `limit` characters.
    static func shown(_ text: String, limit: Int = 64) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Validates a device. Kind rules: `fiber_link` needs `length_km` > 0, `a_end`, `z_end`;
    /// `cctv` needs `stream_url` (and `public` is a boolean when given); `videotron` needs
    /// `size_m2` > 0; `attendance` needs `serial`.
    package static func device(_ input: DeviceInput) -> Result<DeviceRecord, DecodeProblem> {
        func fail(_ reason: String) -> Result<DeviceRecord, DecodeProblem> { .failure(DecodeProblem(reason)) }
        guard isIdentifier(input.id) else {
            return fail("id '\(shown(input.id))' must be 1–128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
        }
        guard let kind = DeviceKind(rawValue: input.kind) else {
            return fail("unknown kind '\(input.kind.prefix(40))'; expected one of \(DeviceKind.allowedValues)")
        }
        guard let region = RegionCode(input.region) else {
            return fail("region '\(input.region.prefix(40))' is not \(RegionCode.formatHelp)")
        }
        if let site = input.site, !isIdentifier(site, maxLength: 64) {
            return fail("site '\(site.prefix(64))' is not a valid site code")
        }
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 300 else { return fail("name must be 1–300 characters") }
        if let problem = nulProblem("name", name) { return fail(problem) }
        if let problem = coordinatesProblem(lat: input.lat, lon: input.lon) { return fail(problem) }
        guard let installed = CalendarDay(input.installed) else {
            return fail("installed '\(input.installed.prefix(40))' must be a date YYYY-MM-DD")
        }
        var decommissioned: CalendarDay?
        if let text = input.decommissioned {
            guard let day = CalendarDay(text) else { return fail("decommissioned '\(text.prefix(40))' must be a date YYYY-MM-DD") }
            guard day >= installed else { return fail("decommissioned \(day) is before installed \(installed)") }
            decommissioned = day
        }
        let interval = input.intervalS ?? 60
        guard (1...86_400).contains(interval) else { return fail("interval_s must be 1–86400 seconds") }
        let attributes = input.attributes ?? [:]
        if let problem = attributesProblem(kind: kind, attributes: attributes) { return fail(problem) }
        if case .set(let upstream) = input.upstream {
            guard isIdentifier(upstream) else { return fail("upstream '\(shown(upstream))' is not a device id") }
            guard upstream != input.id else { return fail("a device cannot be its own upstream") }
        }
        var upstreamSince: Date?
        if let text = input.upstreamSince {
            guard input.upstream != .keep else { return fail("upstream_since goes with upstream (the link it dates)") }
            guard let since = Timestamp.parse(text) else {
                return fail("upstream_since '\(text.prefix(40))' must be a time in RFC 3339 with an offset (2026-11-24T22:00:00+07:00)")
            }
            guard since <= Date().addingTimeInterval(300) else { return fail("upstream_since \(text) is in the future") }
            upstreamSince = since
        }
        return .success(
            DeviceRecord(
                externalID: input.id, kind: kind, region: region, site: input.site, name: name, lat: input.lat,
                lon: input.lon, installed: installed, decommissioned: decommissioned, intervalSeconds: interval,
                attributes: .object(attributes), upstream: input.upstream, upstreamSince: upstreamSince))
    }

    static func attributesProblem(kind: DeviceKind, attributes: [String: JSONValue]) -> String? {
        if JSONValue.object(attributes).depth > 8 { return "attributes nest too deeply (at most 8 levels)" }
        if JSONValue.object(attributes).containsNUL { return "attributes contain a NUL character (\\u0000), which cannot be stored" }
        if JSONValue.object(attributes).jsonText.utf8.count > 16_384 { return "attributes are larger than 16 KiB" }
        switch kind {
        case .fiberLink:
            guard let length = attributes["length_km"]?.numberValue, length > 0, length.isFinite else {
                return "a fiber_link needs attributes.length_km, a number of kilometres > 0"
            }
            // Roll-ups add lengths over whole provinces: a value no link has must not overflow them.
            guard length <= 50_000 else { return "attributes.length_km must be at most 50000 (one link, not a network)" }
            guard attributes["a_end"]?.stringValue?.isEmpty == false, attributes["z_end"]?.stringValue?.isEmpty == false else {
                return "a fiber_link needs attributes.a_end and attributes.z_end (the two ends, as text)"
            }
            if let snmp = attributes["snmp"], let problem = SNMPTarget.problem(snmp) { return problem }
            if let problem = icmpOnly(attributes["probe"], kind: kind) { return problem }
        case .cctv:
            guard let url = attributes["stream_url"]?.stringValue, !url.isEmpty else {
                return "a cctv needs attributes.stream_url (e.g. rtsp://10.1.2.3/main)"
            }
            if let flag = attributes["public"], flag.boolValue == nil {
                return "attributes.public must be true or false"
            }
            if let link = attributes["public_url"] {
                guard let text = link.stringValue else { return "attributes.public_url must be a link (text)" }
                if let refusal = PublicLink.refusal(text) {
                    return
                        "attributes.public_url \(refusal); it is shown to the public, so it must be an http(s) or rtsp(s) link on a public host without credentials"
                }
            }
            if let probe = attributes["probe"], let problem = ProbeTarget.problem(probe) { return problem }
            if let check = attributes["image_check"], let problem = ImageCheckSettings.problem(check) { return problem }
        case .videotron:
            guard let size = attributes["size_m2"]?.numberValue, size > 0, size.isFinite, size <= 10_000 else {
                return "a videotron needs attributes.size_m2, its screen area in m², > 0 and at most 10000"
            }
            if let probe = attributes["probe"], let problem = ProbeTarget.problem(probe) { return problem }
        case .attendance:
            guard let serial = attributes["serial"]?.stringValue, !serial.isEmpty else {
                return "an attendance device needs attributes.serial (its serial number, as text)"
            }
            guard isDeviceSerial(serial) else {
                return "attributes.serial '\(shown(serial))' must be 1–64 letters, digits, '-' or '_', as the device sends it (SN=…)"
            }
            if let problem = icmpOnly(attributes["probe"], kind: kind) { return problem }
        }
        return nil
    }

    /// Fiber links and attendance devices may be probed by ICMP echo only (SNMP and pushes say the rest).
    private static func icmpOnly(_ probe: JSONValue?, kind: DeviceKind) -> String? {
        guard let probe else { return nil }
        if let problem = ProbeTarget.problem(probe) { return problem }
        return probe["icmp"] == nil ? "a \(kind.rawValue) may only have an ICMP probe: attributes.probe {\"icmp\": \"host\"}" : nil
    }

    /// Validates a site; a school's code is its NPSN (8 characters, digits or capital letters).
    package static func site(_ input: SiteInput) -> Result<SiteRecord, DecodeProblem> {
        func fail(_ reason: String) -> Result<SiteRecord, DecodeProblem> { .failure(DecodeProblem(reason)) }
        guard let kind = SiteKind(rawValue: input.kind) else {
            return fail("unknown kind '\(input.kind.prefix(40))'; expected one of \(SiteKind.allowedValues)")
        }
        guard isIdentifier(input.code, maxLength: 64) else {
            return fail("code '\(input.code.prefix(64))' must be 1–64 letters, digits, '.', '_', ':' or '-'")
        }
        if kind == .school, !isNPSN(input.code) {
            return fail("a school's code is its NPSN: 8 digits or capital letters, not '\(input.code.prefix(64))'")
        }
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 300 else { return fail("name must be 1–300 characters") }
        if let problem = nulProblem("name", name) { return fail(problem) }
        guard let region = RegionCode(input.region) else {
            return fail("region '\(input.region.prefix(40))' is not \(RegionCode.formatHelp)")
        }
        if let problem = coordinatesProblem(lat: input.lat, lon: input.lon) { return fail(problem) }
        let attributes = input.attributes ?? [:]
        if JSONValue.object(attributes).depth > 8 { return fail("attributes nest too deeply (at most 8 levels)") }
        if JSONValue.object(attributes).containsNUL { return fail("attributes contain a NUL character (\\u0000), which cannot be stored") }
        return .success(
            SiteRecord(
                code: input.code, kind: kind, name: name, region: region, lat: input.lat, lon: input.lon,
                attributes: .object(attributes)))
    }

    /// Validates a ping against the server clock: `at` no more than `maxAhead` in the future and no
    /// older than `retention`; an omitted `at` means `receivedAt`.
    package static func ping(
        _ input: PingInput, receivedAt: Date, maxAhead: TimeInterval = 300, retention: TimeInterval
    ) -> Result<PingRecord, DecodeProblem> {
        func fail(_ reason: String) -> Result<PingRecord, DecodeProblem> { .failure(DecodeProblem(reason)) }
        guard isIdentifier(input.device) else {
            return fail(
                "device '\(shown(input.device))' is not a device id (1–128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit)"
            )
        }
        guard let status = PingStatus(rawValue: input.status) else {
            return fail("unknown status '\(input.status.prefix(40))'; expected one of \(PingStatus.allowedValues)")
        }
        // Microseconds from the text on: the stored time is exactly the time sent.
        let received = Timestamp.microseconds(receivedAt)
        var observed = received
        if let text = input.at {
            guard let parsed = Timestamp.parseMicroseconds(text) else {
                return fail("at '\(text.prefix(40))' must be an RFC 3339 timestamp with a zone, e.g. 2026-11-22T10:00:00Z")
            }
            guard parsed - received <= Int64(maxAhead * 1_000_000) else {
                return fail("at \(text) is more than \(Int(maxAhead / 60)) minutes ahead of the server clock")
            }
            guard received - parsed <= Int64(retention * 1_000_000) else {
                return fail("at \(text) is older than the raw-ping retention (\(Int(retention / 86_400)) days)")
            }
            observed = parsed
        }
        if let latency = input.latencyMs, !(latency >= 0 && latency < 3_600_000) {
            return fail("latency_ms must be a number of milliseconds ≥ 0")
        }
        if let reason = input.reason, reason.count > 200 { return fail("reason must be at most 200 characters") }
        if let problem = nulProblem("reason", input.reason) { return fail(problem) }
        var metricsJSON: String?
        if let text = input.metricsText {
            metricsJSON = text.utf8.count <= 2 ? nil : text  // "{}" is no metrics
        } else if let metrics = input.metrics {
            let value = JSONValue.object(metrics)
            if value.depth > 4 { return fail("metrics nest too deeply (at most 4 levels)") }
            if value.containsNUL { return fail("metrics contain a NUL character (\\u0000), which cannot be stored") }
            let text = value.jsonText
            if text.utf8.count > 4096 { return fail("metrics are larger than 4 KiB") }
            metricsJSON = metrics.isEmpty ? nil : text
        }
        return .success(
            PingRecord(
                device: input.device, observedMicros: observed, status: status, latencyMs: input.latencyMs,
                reason: input.reason, metricsJSON: metricsJSON))
    }

    static func coordinatesProblem(lat: Double?, lon: Double?) -> String? {
        switch (lat, lon) {
        case (nil, nil): return nil
        case (let lat?, let lon?):
            guard (-90...90).contains(lat) else { return "lat \(lat) is outside −90…90" }
            guard (-180...180).contains(lon) else { return "lon \(lon) is outside −180…180" }
            return nil
        default: return "give both lat and lon, or neither"
        }
    }
}
