/// `schema.json` in every model archive (format `sluice.schema/1`): the drop
/// as ingested — column names, types, missing counts, and each categorical
/// column's values.
public struct DataSchema: Codable, Equatable, Sendable {
    public struct Column: Codable, Equatable, Sendable {
        public var name: String
        /// "numeric" or "categorical".
        public var type: String
        public var missing: Int
        public var categories: [String]?
        public init(name: String, type: String, missing: Int, categories: [String]?) {
            self.name = name
            self.type = type
            self.missing = missing
            self.categories = categories
        }
    }

    public var format = "sluice.schema/1"
    public var target: String
    public var rows: Int
    public var columns: [Column]

    public init(target: String, rows: Int, columns: [Column]) {
        self.target = target
        self.rows = rows
        self.columns = columns
    }
}
