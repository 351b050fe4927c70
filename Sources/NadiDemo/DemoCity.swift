import Foundation
import Logging
import NadiCore
import NadiStore
import PostgresNIO

/// A demo city: Kota Palembang (16.71) with its real schools (Kemdikbud/Dapodik 2019 snapshot, see
/// `Sources/NadiStore/Resources/SOURCES.md`), CCTV in many of them, intersection cameras, a fiber
/// ring, videotrons and attendance devices in offices, and masterplan targets.
struct DemoCity {
    struct Profile {
        var deviceID: String
        var behaviour: Behaviour
        /// The device it depends on (the simulator keeps it silent while that one is cut).
        var upstream: String? = nil
    }

    /// How a simulated device behaves.
    enum Behaviour: Sendable {
        case healthy
        case flaky
        case goesSilent
        case neverSeen
        /// A fiber link cut for 10 minutes of every 30 (its dependents go dark with it).
        case cutEvery30Minutes
        /// A school camera that answers but whose picture is frozen (an encoder hung).
        case frozenPicture
        /// A school camera whose picture is black (the lens covered).
        case blackPicture
    }

    /// The ring link that feeds kecamatan 16.71.`district` in the demo topology.
    static func ringLink(forDistrict district: Int) -> String { "PLG-FO-\((district - 1) % 8 + 1)" }

    /// The demo's link that is cut now and then.
    static let cutLink = "PLG-FO-2"

    let client: DatabaseClient
    let logger: Logger

    /// Loads what is missing; returns every device with its simulated behaviour and whether it was new.
    func load() async throws -> (devices: [Profile], created: Bool) {
        let inventory = InventoryStore(client: client, logger: logger)
        if try await !inventory.hasRegions() {
            _ = try await RegionImporter(client: client, logger: logger).importRows(RegionImporter.builtinRows())
        }
        let created = try await !inventory.hasDevices(idPrefix: "PLG-")
        var random = SplitMix64(seed: 1671)
        let schools = try CSVDocument(data: Data(contentsOf: ResourceLocator.dataFile("schools/schools-kota-palembang.csv")))
        var sites: [(index: Int, record: SiteRecord)] = []
        for (index, row) in schools.records.enumerated() where row.fields.count == 6 {
            guard let region = RegionCode(row.fields[3]) else { continue }
            sites.append(
                (
                    index,
                    SiteRecord(
                        code: row.fields[0], kind: .school, name: row.fields[1], region: region, lat: Double(row.fields[4]),
                        lon: Double(row.fields[5]),
                        attributes: .object(["level": .string(row.fields[2]), "source": .string("Dapodik 2019")]))
                ))
        }
        let offices = [
            "Kantor Walikota Palembang", "Diskominfo Kota Palembang", "Kantor Camat Ilir Barat Satu", "Kantor Camat Seberang Ulu Satu",
            "Dinas Pendidikan Kota Palembang",
        ]
        for (offset, name) in offices.enumerated() {
            sites.append(
                (
                    sites.count,
                    SiteRecord(
                        code: "PLG-OFF-\(offset + 1)", kind: .office, name: name,
                        region: RegionCode(16, 71, offset % 2 == 0 ? 1 : 2),
                        lat: -2.98 + Double(offset) * 0.004, lon: 104.75 + Double(offset) * 0.004, attributes: .object([:]))
                ))
        }
        let intersections = [
            "Simpang Charitas", "Simpang Lima DPRD", "Simpang Polda", "Simpang Patal", "Bundaran Air Mancur", "Simpang Kertapati",
        ]
        for (offset, name) in intersections.enumerated() {
            sites.append(
                (
                    sites.count,
                    SiteRecord(
                        code: "PLG-INT-\(offset + 1)", kind: .intersection, name: name,
                        region: RegionCode(16, 71, offset + 1),
                        lat: -2.97 - Double(offset) * 0.003, lon: 104.74 + Double(offset) * 0.005, attributes: .object([:]))
                ))
        }
        _ = try await InventoryStore(client: client, logger: logger).upsertSites(sites)

        var devices: [DeviceRecord] = []
        var profiles: [Profile] = []
        func add(_ record: DeviceRecord) {
            var record = record
            // Topology: cameras and videotrons hang off the ring link of their kecamatan.
            if record.kind == .cctv || record.kind == .videotron,
                let district = Int(record.region.rawValue.split(separator: ".").last ?? ""),
                record.region.level == .district
            {
                record.upstream = .set(Self.ringLink(forDistrict: district))
            }
            devices.append(record)
            let roll = random.nextDouble()
            var behaviour: Behaviour = roll < 0.05 ? .neverSeen : roll < 0.12 ? .goesSilent : roll < 0.25 ? .flaky : .healthy
            if record.externalID == Self.cutLink { behaviour = .cutEvery30Minutes }
            if record.kind == .fiberLink, behaviour != .cutEvery30Minutes { behaviour = .healthy }
            var upstream: String?
            if case .set(let id) = record.upstream { upstream = id }
            profiles.append(Profile(deviceID: record.externalID, behaviour: behaviour, upstream: upstream))
        }
        let schoolSites = sites.filter { $0.record.kind == .school }
        for (number, school) in schoolSites.enumerated() where number % 4 == 0 {
            let isPublic = random.nextDouble() < 0.6
            add(
                DeviceRecord(
                    externalID: "PLG-CCTV-S\(school.record.code)", kind: .cctv, region: school.record.region, site: school.record.code,
                    name: "CCTV \(school.record.name)", lat: school.record.lat, lon: school.record.lon,
                    installed: CalendarDay(year: 2022 + number % 4, month: 1 + number % 12, day: 1 + number % 28), decommissioned: nil,
                    intervalSeconds: 60,
                    attributes: .object([
                        "public": .bool(isPublic), "stream_url": .string("rtsp://10.16.\(number / 250).\(number % 250)/main"),
                        // What parents open: the city's public relay, never the camera itself.
                        "public_url": .string("https://cctv.palembang.go.id/sekolah/\(school.record.code)"),
                    ])))
        }
        for (offset, site) in sites.filter({ $0.record.kind == .intersection }).enumerated() {
            add(
                DeviceRecord(
                    externalID: "PLG-CCTV-X\(offset + 1)", kind: .cctv, region: site.record.region, site: site.record.code,
                    name: "CCTV \(site.record.name)", lat: site.record.lat, lon: site.record.lon,
                    installed: CalendarDay(year: 2021, month: 3, day: 15), decommissioned: nil, intervalSeconds: 60,
                    attributes: .object(["public": .bool(true), "stream_url": .string("rtsp://10.1.2.\(offset + 3)/main")])))
        }
        let ring = ["Diskominfo", "Ilir Barat Satu", "Seberang Ulu Satu", "Kemuning", "Sukarami", "Kalidoni", "Plaju", "Kertapati"]
        for (offset, end) in ring.enumerated() {
            let next = ring[(offset + 1) % ring.count]
            add(
                DeviceRecord(
                    externalID: "PLG-FO-\(offset + 1)", kind: .fiberLink,
                    region: RegionCode(16, 71, offset + 1),
                    site: nil, name: "Backbone \(end) – \(next)", lat: nil, lon: nil,
                    installed: CalendarDay(year: 2020 + offset % 3, month: 6, day: 1), decommissioned: nil, intervalSeconds: 60,
                    attributes: .object([
                        "length_km": .number(4.5 + Double(offset) * 1.25), "a_end": .string("POP \(end)"), "z_end": .string("POP \(next)"),
                    ])))
        }
        for offset in 0..<4 {
            add(
                DeviceRecord(
                    externalID: "PLG-VT-\(offset + 1)", kind: .videotron,
                    region: RegionCode(16, 71, offset + 1),
                    site: "PLG-INT-\(offset + 1)", name: "Videotron \(intersections[offset])", lat: nil, lon: nil,
                    installed: CalendarDay(year: 2023, month: 8, day: 17), decommissioned: nil, intervalSeconds: 60,
                    attributes: .object(["size_m2": .number(24 + Double(offset) * 8)])))
        }
        for (offset, office) in offices.enumerated() {
            add(
                DeviceRecord(
                    externalID: "PLG-ATT-\(offset + 1)", kind: .attendance,
                    region: RegionCode(16, 71, offset % 2 == 0 ? 1 : 2),
                    site: "PLG-OFF-\(offset + 1)", name: "Fingerprint \(office)", lat: nil, lon: nil,
                    installed: CalendarDay(year: 2024, month: 1, day: 2), decommissioned: nil, intervalSeconds: 60,
                    attributes: .object(["serial": .string("CKJG2024\(1000 + offset)"), "vendor": .string("ZKTeco")])))
        }
        // One public school camera shows a frozen picture and one a black picture (the simulator
        // plays the picture check: the demo's cameras do not exist, so nadid samples none).
        let pictureCameras = devices.filter {
            $0.kind == .cctv && $0.site?.hasPrefix("PLG-") == false && $0.attributes["public"]?.boolValue == true
                && $0.upstream != .set(Self.cutLink)
        }.prefix(2).map(\.externalID)
        for (index, profile) in profiles.enumerated() where pictureCameras.contains(profile.deviceID) {
            profiles[index].behaviour = profile.deviceID == pictureCameras.first ? .frozenPicture : .blackPicture
        }
        // Links first, so the cameras' upstream exists when they are stored.
        let ordered = devices.filter { $0.kind == .fiberLink } + devices.filter { $0.kind != .fiberLink }
        _ = try await InventoryStore(client: client, logger: logger).upsertDevices(ordered.enumerated().map { ($0.offset, $0.element) })
        if created { try await scheduleMaintenance() }

        let city = RegionCode(16, 71)
        let source = "Masterplan Smart City Kota Palembang (demo figures)"
        _ = try await TargetStore(client: client, logger: logger).upsert([
            TargetRecord(region: city, kind: .cctv, metric: .units, year: 2024, value: 120, source: source),
            TargetRecord(region: city, kind: .cctv, metric: .units, year: 2028, value: 400, source: source),
            TargetRecord(region: city, kind: .cctv, metric: .schoolsPct, year: 2026, value: 30, source: source),
            TargetRecord(region: city, kind: .cctv, metric: .schoolsPct, year: 2029, value: 100, source: source),
            TargetRecord(region: city, kind: .fiberLink, metric: .km, year: 2026, value: 60, source: source),
            TargetRecord(region: city, kind: .videotron, metric: .units, year: 2026, value: 6, source: source),
            TargetRecord(region: city, kind: .attendance, metric: .units, year: 2026, value: 5, source: source),
        ])
        // Per kecamatan: CCTV units for 2026 and 2028, from the cameras planned there (the city's own
        // milestones above still govern the city's row; the console's drill-down shows these).
        var cameras: [RegionCode: Int] = [:]
        for device in devices where device.kind == .cctv { cameras[device.region, default: 0] += 1 }
        _ = try await TargetStore(client: client, logger: logger).upsert(
            cameras.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { region, count in
                [
                    TargetRecord(region: region, kind: .cctv, metric: .units, year: 2026, value: Double(count + 2), source: source),
                    TargetRecord(region: region, kind: .cctv, metric: .units, year: 2028, value: Double(count * 2 + 4), source: source),
                ]
            })
        return (profiles, created)
    }
}

extension DemoCity {
    /// One planned window: tonight 22:00–02:00 WIB on the ring link PLG-FO-5.
    func scheduleMaintenance() async throws {
        let zone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        let tonight = CalendarDay(Date(), in: zone).start(in: zone).addingTimeInterval(22 * 3600)
        let request = MaintenanceRequest(
            target: .device("PLG-FO-5"), from: tonight, to: tonight.addingTimeInterval(4 * 3600),
            reason: "Penyambungan ulang kabel FO Sukarami (demo)")
        _ = try? await MaintenanceStore(client: client, logger: logger).add(request, scope: nil, createdBy: "demo", mayBackdate: true)
    }
}
