import ArgumentParser
import Foundation
import MydiaCrypto
import MydiaLibrary
import MydiaServer
#if canImport(Glibc)
import Glibc
#endif

/// `mydia-server user add|list|remove`: the local users who sign in by URL login (PROTOCOL.md
/// §14.3). They work on the state directory's database directly, whether or not the server runs.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the local users who sign in with a user name and password (URL login).",
        subcommands: [UserAdd.self, UserList.self, UserRemove.self])
}

struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user; with --totp, show the authenticator QR code and the recovery codes once.")

    @Argument(help: "The user name (letters, digits, '.', '_', '@', '-').") var name: String
    @Flag(help: "Also ask for a code from an authenticator app at sign-in.") var totp = false
    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of stdin instead of the terminal.")
    var passwordStdin = false
    @OptionGroup var state: StateOption

    func run() async throws {
        var password = try passwordStdin ? PasswordInput.firstLineOfStdin() : PasswordInput.promptTwice()
        let users: UserStore
        do { users = try UserCommandStore.open(state, create: true) } catch {
            PasswordInput.wipe(&password)
            throw error
        }
        let added: UserStore.NewUser
        do { added = try await users.add(username: name, password: &password, withTOTP: totp) } catch let error as UserStore.Error {
            throw CommandFailure(error.description)
        }
        print("Added user \(added.user.username).")
        guard let generator = added.totp else { return }
        let uri = generator.uri(accountName: added.user.username)
        print("")
        print("Scan this with an authenticator app (or type the secret \(generator.base32Secret) into it):")
        print("")
        if let qr = try? TerminalQR.render(uri) { print(qr, terminator: "") }
        print(uri)
        print("")
        print("Recovery codes — each signs in once in place of an app code. They are not shown again:")
        for code in added.recoveryCodes { print("  \(code)") }
    }
}

struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users, whether they use TOTP, and their devices.")
    @OptionGroup var state: StateOption

    func run() async throws {
        let listing = try await UserCommandStore.open(state, create: false).list()
        if listing.isEmpty { print("No users."); return }
        let width = listing.map(\.user.username.count).max() ?? 0
        for entry in listing {
            let name = entry.user.username.padding(toLength: width, withPad: " ", startingAt: 0)
            let devices = entry.activeDevices == 1 ? "1 device" : "\(entry.activeDevices) devices"
            print("\(name)  TOTP \(entry.user.totpEnabled ? "on " : "off")  \(devices)")
        }
    }
}

struct UserRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a user and revoke all their devices.")
    @Argument(help: "The user name.") var name: String
    @OptionGroup var state: StateOption

    func run() async throws {
        let users = try UserCommandStore.open(state, create: false)
        let revoked: [String]
        do { revoked = try await users.remove(username: name) } catch let error as UserStore.Error {
            throw CommandFailure(error.description)
        }
        print("Removed \(name); revoked \(revoked.count == 1 ? "1 device" : "\(revoked.count) devices").")
    }
}

/// Opens the users of a state directory for the `user` subcommands.
enum UserCommandStore {
    static func open(_ state: StateOption, create: Bool) throws -> UserStore {
        // Everything these commands create (the database, its journal) is for the owner only.
        umask(0o077)
        var isDirectory: ObjCBool = false
        guard create || (FileManager.default.fileExists(atPath: state.stateDirectory, isDirectory: &isDirectory) && isDirectory.boolValue) else {
            throw CommandFailure("There is no server state directory at \(state.stateDirectory).")
        }
        do {
            let directory = try StateDirectory(path: state.stateDirectory)
            return UserStore(database: try LibraryDatabase(stateDirectory: directory.url))
        } catch let error as StateDirectory.Error {
            throw CommandFailure(error.description)
        } catch {
            throw CommandFailure("Cannot open the server's database in \(state.stateDirectory): \(error).")
        }
    }
}

/// A failed command: ArgumentParser prints `Error: ` and this one sentence, and exits with 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
