//! The real gateways: `nginx -t` and `haproxy -c` on rendered configs before
//! they are written, the configured reload commands, and HAProxy's runtime
//! API on its admin socket (weights without a reload).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("{tool} rejects the rendered config:\n{output}")]
    Rejected { tool: &'static str, output: String },
    #[error("cannot run {tool}: {source} (is it installed?)")]
    Missing {
        tool: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the reload command `{command}` failed ({status}): {output}")]
    Reload {
        command: String,
        status: String,
        output: String,
    },
    #[error("HAProxy's admin socket {socket}: {message}")]
    Socket { socket: String, message: String },
    #[error("cannot prepare the check: {0}")]
    Io(#[from] std::io::Error),
}

/// `nginx -t` on an include for the `http` block, wrapped in a minimal main
/// config in a temp dir (its own pid and temp paths).
pub fn nginx_test(include: &str) -> Result<(), GatewayError> {
    let dir = tempfile::Builder::new()
        .prefix("skillsctl-nginx-")
        .tempdir()?;
    let conf = dir.path().join("skillsctl.conf");
    std::fs::write(&conf, include)?;
    let prefix = dir.path().display().to_string();
    let main = format!(
        "pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nevents {{}}\nhttp {{\n    client_body_temp_path {prefix}/body;\n    proxy_temp_path {prefix}/proxy;\n    fastcgi_temp_path {prefix}/fastcgi;\n    uwsgi_temp_path {prefix}/uwsgi;\n    scgi_temp_path {prefix}/scgi;\n    access_log off;\n    include {};\n}}\n",
        conf.display()
    );
    let main_path = dir.path().join("nginx.conf");
    std::fs::write(&main_path, main)?;
    let output = run(
        "nginx",
        &[
            "-t",
            "-q",
            "-p",
            &prefix,
            "-c",
            &main_path.display().to_string(),
        ],
    )?;
    checked("nginx -t", &output)
}

/// `haproxy -c` on a whole config.
pub fn haproxy_check(config: &str) -> Result<(), GatewayError> {
    let dir = tempfile::Builder::new()
        .prefix("skillsctl-haproxy-")
        .tempdir()?;
    let file = dir.path().join("haproxy.cfg");
    std::fs::write(&file, config)?;
    let output = run("haproxy", &["-c", "-q", "-f", &file.display().to_string()])?;
    checked("haproxy -c", &output)
}

fn run(tool: &str, args: &[&str]) -> Result<std::process::Output, GatewayError> {
    Command::new(tool)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| GatewayError::Missing {
            tool: tool.to_owned(),
            source,
        })
}

fn checked(tool: &'static str, output: &std::process::Output) -> Result<(), GatewayError> {
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    Err(GatewayError::Rejected {
        tool,
        output: text.trim().to_owned(),
    })
}

/// Runs a reload command (`nginx -s reload`) with `sh -c`, in `dir`.
pub fn reload(command: &str, dir: &Path) -> Result<(), GatewayError> {
    let output = Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| GatewayError::Missing {
            tool: "sh".to_owned(),
            source,
        })?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    Err(GatewayError::Reload {
        command: command.to_owned(),
        status: output.status.to_string(),
        output: text.trim().to_owned(),
    })
}

/// Sends commands to HAProxy's admin socket, one connection each (the
/// socket closes after a command); an answer other than empty is an error.
pub fn haproxy_runtime(socket: &Path, commands: &[String]) -> Result<(), GatewayError> {
    for command in commands {
        let answer = haproxy_command(socket, command)?;
        let answer = answer.trim();
        if !answer.is_empty() {
            return Err(GatewayError::Socket {
                socket: socket.display().to_string(),
                message: format!("`{command}`: {answer}"),
            });
        }
    }
    Ok(())
}

/// HAProxy's `show stat` CSV, for the rollout's analysis of a share.
pub fn haproxy_stats(socket: &Path) -> Result<String, GatewayError> {
    haproxy_command(socket, "show stat")
}

/// One command on the admin socket, and HAProxy's whole answer.
#[cfg(unix)]
fn haproxy_command(socket: &Path, command: &str) -> Result<String, GatewayError> {
    let err = |message: String| GatewayError::Socket {
        socket: socket.display().to_string(),
        message,
    };
    let mut stream =
        std::os::unix::net::UnixStream::connect(socket).map_err(|e| err(e.to_string()))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| err(e.to_string()))?;
    stream
        .write_all(format!("{command}\n").as_bytes())
        .map_err(|e| err(e.to_string()))?;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    Ok(answer)
}

#[cfg(not(unix))]
fn haproxy_command(socket: &Path, _command: &str) -> Result<String, GatewayError> {
    Err(GatewayError::Socket {
        socket: socket.display().to_string(),
        message: "unix sockets are not available here".to_owned(),
    })
}
