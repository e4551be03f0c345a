@testable import MydiaServer
import Synchronization
import Testing

/// The server's outgoing queue holds at most one budget per session (issue 18): frames past it
/// are not queued, the session's gate shuts and the link hears of it once.
@Suite struct SessionGateBudgetTests {
    @Test func framesPastTheBudgetShutTheGateAndReportOnce() {
        let reports = Mutex(0)
        let gate = SessionGate(budget: 100) { reports.withLock { $0 += 1 } }
        #expect(gate.admit(60) && gate.admit(40))
        #expect(gate.queued == 100)
        gate.sent(60)
        #expect(gate.admit(50), "written bytes make room again")
        #expect(!gate.admit(11), "one byte past the budget")
        #expect(!gate.isOpen && !gate.admit(1))
        #expect(reports.withLock { $0 } == 1)
    }

    @Test func theDefaultBudgetIsSixteenStreamWindows() {
        #expect(SessionGate.budget == 16 * StreamCredit.window)
        let gate = SessionGate()
        #expect(gate.admit(SessionGate.budget) && !gate.admit(1))
    }
}
