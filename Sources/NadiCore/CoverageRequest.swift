/// What a coverage report is asked for, validated once for `nadi coverage` and `GET /v1/coverage`.
package struct CoverageRequest: Sendable, Equatable {
    package var region: RegionCode?
    package var depth: RegionLevel?
    package var kinds: Set<DeviceKind> = []
    package var metrics: Set<TargetMetric> = []
    package var asOf: CalendarDay?
    /// When a camera covers a school for `schools_pct`.
    package var schoolRule: SchoolRule = .operationalCamera

    package init(
        region: RegionCode? = nil, depth: RegionLevel? = nil, kinds: Set<DeviceKind> = [], metrics: Set<TargetMetric> = [],
        asOf: CalendarDay? = nil
    ) {
        self.region = region
        self.depth = depth
        self.kinds = kinds
        self.metrics = metrics
        self.asOf = asOf
    }

    /// Parses the request from text (CLI flags or query parameters); the failure names the field
    /// (`region`, `depth`, …) and says what it must be.
    package static func parse(
        region: String?, depth: String?, kind: String?, metric: String?, asOf: String?, requireGoodImage: Bool = false
    ) -> Result<CoverageRequest, CoverageRequestError> {
        var request = CoverageRequest()
        if requireGoodImage {
            guard asOf == nil else {
                return .failure(
                    .init(field: "require_good_image", problem: "counts pictures as they are now; it cannot be combined with as_of"))
            }
            request.schoolRule = .goodPicture
        }
        if let region {
            guard let code = RegionCode(region) else {
                return .failure(.init(field: "region", problem: "must be \(RegionCode.formatHelp)"))
            }
            request.region = code
        }
        if let depth {
            guard let level = RegionLevel(rawValue: depth), level != .village else {
                return .failure(.init(field: "depth", problem: "must be province, regency or district"))
            }
            request.depth = level
        }
        if let kind {
            guard let parsed = DeviceKind(rawValue: kind) else {
                return .failure(.init(field: "kind", problem: "must be one of \(DeviceKind.allowedValues)"))
            }
            request.kinds = [parsed]
        }
        if let metric {
            guard let parsed = TargetMetric(rawValue: metric) else {
                return .failure(.init(field: "metric", problem: "must be one of \(TargetMetric.allowedValues)"))
            }
            request.metrics = [parsed]
        }
        if let kind = request.kinds.first, let metric = request.metrics.first, !kind.allowedMetrics.contains(metric) {
            return .failure(.init(field: "metric", problem: "\(metric.rawValue) does not apply to \(kind.rawValue)"))
        }
        if let asOf {
            guard let day = CalendarDay(asOf) else { return .failure(.init(field: "as_of", problem: "must be a date YYYY-MM-DD")) }
            request.asOf = day
        }
        return .success(request)
    }
}

/// A coverage request field that is wrong, and what it must be.
package struct CoverageRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field as the API names it (`region`, `depth`, `kind`, `metric`, `as_of`).
    package var field: String
    package var problem: String

    package var description: String { "\(field) \(problem)" }
}
