import Foundation
import Hummingbird
import NadiCore
import NadiReports
import NadiStore

extension ConsoleController {
    /// Sekolah: coverage by kecamatan and level, the school map, CSV and GeoJSON downloads.
    func schools(_ context: PageContext) async throws -> Response {
        let (region, allowed) = context.region(ceiling: context.session?.user.region)
        guard allowed else { throw PageNotFound() }
        let level = context.parameter("level")
        let schools = try await SchoolCCTVQuery(client: client, logger: logger).schools(
            region: region, level: level, timeZone: configuration.timeZone)
        var groups: [String: (name: String, byLevel: [String: (total: Int, covered: Int)])] = [:]
        for school in schools {
            let key = school.region
            var group = groups[key] ?? (school.regionName, [:])
            let levelKey = school.level ?? "–"
            var tally = group.byLevel[levelKey] ?? (0, 0)
            tally.total += 1
            if school.covered { tally.covered += 1 }
            group.byLevel[levelKey] = tally
            groups[key] = group
        }
        var page = common(context, title: "schools_title", active: "/schools")
        page["groups"] = groups.sorted { $0.key < $1.key }.map { code, group -> [String: Any] in
            let total = group.byLevel.values.reduce(0) { $0 + $1.total }
            let covered = group.byLevel.values.reduce(0) { $0 + $1.covered }
            return [
                "code": code, "name": group.name, "total": total, "covered": covered,
                "pct": Format.percent(total > 0 ? 100 * Double(covered) / Double(total) : nil),
                "levels": group.byLevel.sorted { $0.key < $1.key }.map { level, tally in
                    "\(level) \(tally.covered)/\(tally.total)"
                }.joined(separator: " · "),
            ]
        }
        let covered = schools.filter(\.covered).count
        page["total"] = schools.count
        page["covered"] = covered
        page["good_picture"] = schools.filter(\.goodPicture).count
        page["pct"] = Format.percent(schools.isEmpty ? nil : 100 * Double(covered) / Double(schools.count))
        page["map"] = HTMLReport.scatter(schools)
        page["csv_url"] = context.url(path: "/schools.csv")
        page["geojson_url"] = context.url(path: "/schools.geojson")
        page["levels"] =
            [["value": "", "label": ConsoleCatalog.words(context.language)["all"] ?? "", "selected": level == nil]]
            + ["SD", "SMP", "SMA", "SMK", "SLB"].map { (name: String) -> [String: Any] in
                ["value": name, "label": name, "selected": level?.uppercased() == name]
            }
        page["region_value"] = context.parameter("region") ?? ""
        return renderer.page("schools", page)
    }

    /// The school export of the page's region and level, as CSV or GeoJSON.
    func schoolsDownload(_ context: PageContext, geojson: Bool) async throws -> Response {
        let (region, allowed) = context.region(ceiling: context.session?.user.region)
        guard allowed else { throw PageNotFound() }
        let schools = try await SchoolCCTVQuery(client: client, logger: logger).schools(
            region: region, level: context.parameter("level"), timeZone: configuration.timeZone)
        let text = geojson ? try SchoolExportRenderer.geojson(schools).text : SchoolExportRenderer.csv(schools)
        return Response(
            status: .ok,
            headers: [
                .contentType: geojson ? "application/geo+json" : "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"nadi-schools.\(geojson ? "geojson" : "csv")\"", .cacheControl: "no-store",
            ], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `/sekolah`: search by name or NPSN, for anyone.
    func publicSearch(_ context: PageContext) async throws -> Response {
        var page = common(context, title: "public_title")
        page["public"] = true
        if let text = context.parameter("q"), text.count <= 100 {
            let found = try await PublicSchoolQuery(client: client, logger: logger).search(text)
            page["q"] = text
            page["searched"] = true
            page["results"] = found.map { school -> [String: Any] in
                [
                    "npsn": school.npsn, "name": school.name, "level": school.level ?? "", "region": school.regionName,
                    "href": "/sekolah/\(PageContext.encode(school.npsn))", "working": school.publicWorking > 0,
                ]
            }
        }
        return publicResponse(renderer.page("public_search", page))
    }

    /// `/sekolah/{npsn}`: does the school have a working public camera now, its stream links, the
    /// last 7 days' availability. Nothing about private cameras.
    func publicSchool(_ npsn: String, _ context: PageContext) async throws -> Response {
        guard npsn.count <= 20, let school = try await PublicSchoolQuery(client: client, logger: logger).school(npsn: npsn) else {
            throw PageNotFound()
        }
        var page = common(context, title: "public_title")
        page["public"] = true
        page["title"] = school.name
        page["school"] = [
            "npsn": school.npsn, "name": school.name, "level": school.level ?? "", "region": school.regionName,
            "working": school.publicWorking > 0, "cameras": school.publicCameras, "working_count": school.publicWorking,
            "availability": Format.percent(school.availability7dPct), "streams": school.streams.map { ["url": $0] },
            "has_pictures": !school.pictures.isEmpty, "has_streams": !school.streams.isEmpty,
            "pictures": school.pictures.enumerated().map { index, health -> [String: Any] in
                [
                    "number": index + 1, "health": health.rawValue, "good": health == .good,
                    "label": ConsoleCatalog.words(context.language)["picture_\(health.rawValue)"] ?? health.rawValue,
                ]
            },
        ]
        return publicResponse(renderer.page("public_school", page))
    }

    /// Public pages may be cached for a minute by browsers and proxies.
    func publicResponse(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "public, max-age=60"
        return response
    }
}
