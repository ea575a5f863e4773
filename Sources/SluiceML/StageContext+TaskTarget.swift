import SluicePluginSDK

extension StageContext {
    /// The target column as labels for `task` (see ``TaskTarget``), whether it
    /// holds text or numbers; problems become a ``StageError`` naming the column.
    /// - Parameter classes: the model's classes when scoring; nil when training.
    public func taskTarget(_ column: Column, task: TaskTarget.Task, positiveClass: String? = nil,
                           classes: [String]? = nil) throws -> TaskTarget {
        do {
            switch column.type {
            case .categorical:
                return try TaskTarget(task: task, codes: codes(column), dictionary: dictionary(column),
                                      positiveClass: positiveClass, classes: classes)
            case .numeric:
                return try TaskTarget(task: task, values: numeric(column), positiveClass: positiveClass, classes: classes)
            }
        } catch let problem as TaskTarget.Problem {
            throw StageError("target '\(column.name)': \(problem.description)")
        } catch let problem as BinaryTarget.Problem {
            throw StageError("target '\(column.name)': \(problem.description)")
        }
    }
}
