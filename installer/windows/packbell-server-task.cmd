@echo off
rem Started at boot by the "packbell server" scheduled task, as SYSTEM. The server's
rem output (first pairing codes, warnings) is appended to server.log beside its data.
setlocal
set "DATA=%ProgramData%\packbell\server"
set NO_COLOR=1
if not exist "%DATA%" mkdir "%DATA%"
echo ---- started %DATE% %TIME% >> "%DATA%\server.log"
"%~dp0packbell-server.exe" --data-dir "%DATA%" >> "%DATA%\server.log" 2>&1
