/// Why a maintenance window cannot be made, shaped like postgres-nio's `PSQLError`: callers branch
/// on `code` (the console shows its sentence in the user's language), people read `description`
/// (the English sentence the API and the CLI answer with).
package struct MaintenanceProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of refusal it is; the raw value is the console's word-catalog key (after `problem_`).
    package enum Code: String, Sendable, CaseIterable {
        case target = "maintenance_target"
        case from = "maintenance_from"
        case to = "maintenance_to"
        case order = "maintenance_order"
        case tooLong = "maintenance_too_long"
        case tooOld = "maintenance_too_old"
        case reason = "maintenance_reason"
        /// A window that starts in the past, asked by someone who is not an admin.
        case backdate = "maintenance_backdate"
        /// Another window covers the same target at the same time.
        case overlap = "maintenance_overlap"
        case unknownDevice = "maintenance_unknown_device"
        case outsideRegion = "maintenance_outside_region"
        case unknownRegion = "maintenance_unknown_region"
        case notStored = "maintenance_not_stored"
    }

    package let code: Code
    package let description: String

    package init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
