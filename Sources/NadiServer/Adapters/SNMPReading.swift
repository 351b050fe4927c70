import NadiCore

/// What an SNMP answer says about a fiber link.
struct SNMPReading {
    var status: PingStatus
    var reason: String?
    var metricsJSON: String?
    var inErrors: UInt64?

    init(response: SNMPMessage.Response, target: SNMPTarget, previousErrors: UInt64?) {
        var values: [[UInt32]: SNMPMessage.Value] = [:]
        for binding in response.bindings { values[binding.oid] = binding.value }
        let oper = values[AdapterPoller.ifOperStatus + [UInt32(target.ifIndex)]]
        inErrors = values[AdapterPoller.ifInErrors + [UInt32(target.ifIndex)]].flatMap { value -> UInt64? in
            if case .unsigned(let count) = value { return count }
            return nil
        }
        var metrics: [String: JSONValue] = [:]
        if let number = oper?.number { metrics["if_oper_status"] = .number(number) }
        if let inErrors { metrics["if_in_errors"] = .number(Double(inErrors)) }
        var rxDBm: Double?
        if let oid = target.rxPowerOID, let raw = values[oid]?.number {
            rxDBm = raw * target.rxPowerScale
            metrics["rx_dbm"] = .number(raw * target.rxPowerScale)
        }
        metricsJSON = metrics.isEmpty ? nil : JSONValue.object(metrics).jsonText
        switch oper?.number.map(Int.init) {
        case 1?:
            status = .up
            if let inErrors, let previousErrors, inErrors > previousErrors {
                status = .degraded
                reason = "if_in_errors rising (+\(inErrors - previousErrors))"
            } else if let rxDBm, rxDBm < target.minRxDBm {
                status = .degraded
                reason = "optical receive power \(rxDBm) dBm below \(target.minRxDBm) dBm"
            }
        case 2?, 6?, 7?:
            status = .down
            reason =
                "ifOperStatus \(oper?.number.map { Int($0) } ?? 0) (\([2: "down", 6: "notPresent", 7: "lowerLayerDown"][oper?.number.map(Int.init) ?? 0] ?? ""))"
        case let code?:
            status = .degraded
            reason = "ifOperStatus \(code)"
        case nil:
            status = .down
            reason =
                response.errorStatus != 0 ? "SNMP error-status \(response.errorStatus)" : "no ifOperStatus for ifIndex \(target.ifIndex)"
        }
    }
}
