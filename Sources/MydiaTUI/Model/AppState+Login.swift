import Foundation
import MydiaAPI

// The URL login screen beside pairing (PROTOCOL.md §14.2): typing into the form, checking it,
// handing the attempt to the effect runner, the second-factor step, and the outcome.
extension AppState {
    /// Keys on the login screen. Ctrl-P goes back to pairing; Esc quits (as on pairing), or — while
    /// the server waits for the code — gives the login up.
    mutating func handleLogin(_ key: Key) -> [Effect] {
        if loginForm.busy { return [] }
        if loginForm.needsCode { return handleLoginCode(key) }
        switch key {
        case .character(let c):
            loginForm.error = nil
            loginForm.type(c)
        case .backspace, .delete:
            loginForm.deleteBackward()
        case .tab, .down:
            loginForm.moveFocus(1)
        case .backTab, .up:
            loginForm.moveFocus(-1)
        case .enter:
            return submitLogin()
        case .control("p"):
            loginForm.password.wipe()
            loginForm.error = nil
            stack = [.pairing]
        case .escape:
            return quit()
        default:
            break
        }
        return []
    }

    /// Enter: with the URL, the user and the password filled in, the attempt goes to the runner and
    /// the form's copy of the password is wiped; otherwise the cursor moves to the next empty field.
    private mutating func submitLogin() -> [Effect] {
        let form = loginForm
        let user = form.user.trimmingCharacters(in: .whitespaces)
        let missing: LoginForm.Field? =
            form.url.trimmingCharacters(in: .whitespaces).isEmpty ? .url : user.isEmpty ? .user : form.password.isEmpty ? .password : nil
        if let missing {
            // Enter walks the empty fields first; on the last one it says what is missing.
            if form.focus == missing || form.focus == .trust {
                loginForm.error = switch missing {
                case .url: "Type the server's URL, e.g. https://media.example.org."
                case .user: "Type your user name (or e-mail) on the server."
                default: "Type your password."
                }
            }
            loginForm.focus = missing
            return []
        }
        let url: LoginURL
        do throws(LoginURL.Error) { url = try LoginURL(form.url) } catch {
            loginForm.error = error.description
            loginForm.focus = .url
            return []
        }
        let trust: LoginTrust
        do throws(LoginTrust.Error) { trust = try LoginTrust(form.trust, for: url) } catch {
            loginForm.error = error.description
            loginForm.focus = .trust
            return []
        }
        let attempt = LoginAttempt(url: url, username: user, password: form.password, trust: trust)
        // The attempt holds the password now; the form's copy goes at once (and on a refusal the
        // field is empty for the next try, with the URL and user kept).
        loginForm.password.wipe()
        loginForm.busy = true
        loginForm.error = nil
        loginForm.warning = nil
        loginForm.progress = .checkingServer
        return [.login(attempt)]
    }

    /// The code step: digits or a recovery code, Enter sends it, Esc gives the login up.
    private mutating func handleLoginCode(_ key: Key) -> [Effect] {
        switch key {
        case .character(let c):
            loginForm.error = nil
            loginForm.type(c)
        case .backspace, .delete:
            loginForm.deleteBackward()
        case .enter:
            guard !loginForm.code.isEmpty else {
                loginForm.error = "Type the 6-digit code from your authenticator app, or one of your recovery codes."
                return []
            }
            let code = loginForm.code
            loginForm.code.wipe()
            loginForm.busy = true
            loginForm.error = nil
            loginForm.progress = .verifyingCode
            return [.loginCode(code)]
        case .escape:
            loginForm.code.wipe()
            loginForm.busy = true  // until the runner reports the login's end
            return [.cancelLogin]
        default:
            break
        }
        return []
    }

    /// Login progress and outcome from the runner.
    mutating func applyLogin(_ event: AppEvent) {
        switch event {
        case .loginProgress(let progress):
            loginForm.progress = progress
            if progress == .secondFactor {
                loginForm.needsCode = true
                loginForm.busy = false
                loginForm.code.wipe()
                loginForm.focus = .code
            }
        case .loginWarning(let warning):
            loginForm.warning = warning
        case .loginFailed(let sentence, let field):
            loginForm.busy = false
            loginForm.needsCode = false
            loginForm.progress = nil
            loginForm.wipeSecrets()
            loginForm.error = sentence
            // The password is always typed again; a field to fix comes first.
            loginForm.focus = field == .code ? .password : field ?? .password
        default:
            break
        }
    }
}
