import ArgumentParser
public import NadiCore

extension RegionLevel: ExpressibleByArgument {}
extension DeviceKind: ExpressibleByArgument {}
extension TargetMetric: ExpressibleByArgument {}
extension CalendarDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
