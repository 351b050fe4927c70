import ArgumentParser
import NadiCore

/// `--region 16.71`: a Kemendagri region code, checked by the parser once for every command.
extension RegionCode: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
