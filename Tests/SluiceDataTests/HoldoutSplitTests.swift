import SluiceData
import Testing

@Suite struct HoldoutSplitTests {
    @Test func sameSeedSameSplitOtherSeedOtherSplit() {
        let strata = (0..<1000).map { $0 % 7 == 0 ? 1 : 0 }
        let a = HoldoutSplit.roles(strata: strata, fraction: 0.2, seed: 42)
        let b = HoldoutSplit.roles(strata: strata, fraction: 0.2, seed: 42)
        let c = HoldoutSplit.roles(strata: strata, fraction: 0.2, seed: 43)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func eachClassKeepsItsShareInTheHoldout() {
        let strata = (0..<1000).map { $0 < 100 ? 1 : 0 }   // 10% positives
        let roles = HoldoutSplit.roles(strata: strata, fraction: 0.2, seed: 7)
        let holdoutPositives = (0..<100).filter { roles[$0] == 1 }.count
        let holdoutNegatives = (100..<1000).filter { roles[$0] == 1 }.count
        #expect(holdoutPositives == 20)
        #expect(holdoutNegatives == 180)
    }

    @Test func tinyStrataKeepARowOnEachSide() {
        let roles = HoldoutSplit.roles(strata: [0, 0, 1, 1], fraction: 0.1, seed: 1)
        #expect(roles.filter { $0 == 1 }.count == 2)
        #expect(roles[0] != roles[1] && roles[2] != roles[3])
    }
}
