; packbell's Windows installer, built on Linux by scripts/package-windows.sh with
; Debian's makensis (cargo-packager's NSIS format needs two plugins it downloads from
; GitHub, which this machine cannot reach; see installer/windows/README.md).
;
; makensis -DVERSION=0.1.0 -DBIN_DIR=... -DICON=... -DOUT_FILE=... packbell.nsi
;
; Components: Office, Warehouse (+ start at logon), Server (started at boot by a
; scheduled task as SYSTEM, data in %ProgramData%\packbell\server, firewall rules on
; the Private profile). One uninstaller removes whatever was installed.

Unicode true
Target amd64-unicode
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef BIN_DIR
  !error "pass -DBIN_DIR=<folder with the three .exe>"
!endif
!ifndef ICON
  !error "pass -DICON=<packbell.ico>"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "packbell-${VERSION}-setup.exe"
!endif
; makensis runs in this file's folder (unless /NOCD): these are next to it.
!define TASK_CMD "packbell-server-task.cmd"
!define PAIRING_CMD "packbell-pairing-code.cmd"
!define README "README.md"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "Sections.nsh"

; The app ids Windows toasts are attributed to: the Start-menu shortcut carries it, and
; a program showing toasts must use the same id.
!define AUMID_OFFICE "packbell.office"
!define AUMID_WAREHOUSE "packbell.warehouse"
!define SERVER_TASK "packbell server"
!define DISCOVERY_PORT 47800
!define WS_PORT 47801
!define FW_DISCOVERY "packbell server discovery (UDP ${DISCOVERY_PORT})"
!define FW_WEBSOCKET "packbell server WebSocket (TCP ${WS_PORT})"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\packbell"

Name "packbell ${VERSION}"
OutFile "${OUT_FILE}"
InstallDir "$PROGRAMFILES64\packbell"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "packbell ${VERSION}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_COMPONENTSPAGE_SMALLDESC
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Spanish"

; ------------------------------------------------------------------ shortcut app id
; Sets System.AppUserModel.ID on a shortcut through COM (IShellLinkW, IPersistFile,
; IPropertyStore) with NSIS's own System plugin, so no extra plugin is needed.
!define CLSID_ShellLink "{00021401-0000-0000-C000-000000000046}"
!define IID_IShellLinkW "{000214F9-0000-0000-C000-000000000046}"
!define IID_IPersistFile "{0000010b-0000-0000-C000-000000000046}"
!define IID_IPropertyStore "{886D8EEB-8CF2-4446-8D02-CDBA1DBDCF99}"
!define PKEY_AppUserModel_ID_FMTID "{9F4C2855-9F79-4B39-A8D0-E1D42DE1D5F3}"

!macro SetShortcutAppId LINK APPID
  Push "${APPID}"
  Push "${LINK}"
  Call SetShortcutAppId
!macroend

Function SetShortcutAppId
  Exch $0 ; shortcut path
  Exch
  Exch $1 ; app id
  Push $2
  Push $3
  Push $4
  Push $5
  Push $6
  Push $7
  ; $2 IShellLinkW, $3 IPersistFile, $4 IPropertyStore, $5 PROPERTYKEY, $6 PROPVARIANT, $7 status
  System::Call "ole32::CoCreateInstance(g '${CLSID_ShellLink}', p 0, i 1, g '${IID_IShellLinkW}', *p .r2) i .r7"
  ${If} $7 = 0
    System::Call "$2->0(g '${IID_IPersistFile}', *p .r3) i .r7" ; QueryInterface
    ${If} $7 = 0
      System::Call "$3->5(w r0, i 2) i .r7" ; IPersistFile::Load(path, STGM_READWRITE)
      ${If} $7 = 0
        System::Call "$2->0(g '${IID_IPropertyStore}', *p .r4) i .r7"
        ${If} $7 = 0
          ; PROPERTYKEY { fmtid, pid 5 }; PROPVARIANT { VT_LPWSTR (31), pointer to the id }
          System::Call "*(g '${PKEY_AppUserModel_ID_FMTID}', i 5) p .r5"
          System::Call "*(w r1) p .r0"
          System::Call "*(&i2 31, &i2 0, &i2 0, &i2 0, p r0, p 0) p .r6"
          System::Call "$4->6(p r5, p r6) i .r7" ; IPropertyStore::SetValue
          ${If} $7 = 0
            System::Call "$4->7() i .r7" ; IPropertyStore::Commit
          ${EndIf}
          ${If} $7 = 0
            System::Call "$3->6(p 0, i 1) i .r7" ; IPersistFile::Save(NULL, TRUE)
          ${EndIf}
          System::Free $6
          System::Free $0
          System::Free $5
          System::Call "$4->2()" ; Release
        ${EndIf}
      ${EndIf}
      System::Call "$3->2()"
    ${EndIf}
    System::Call "$2->2()"
  ${EndIf}
  ${If} $7 <> 0
    DetailPrint "Could not set the app id on a shortcut (HRESULT $7); toasts may be attributed to another app."
  ${EndIf}
  Pop $7
  Pop $6
  Pop $5
  Pop $4
  Pop $3
  Pop $2
  Pop $1
  Pop $0
FunctionEnd

; ------------------------------------------------------------------ sections
Section "-common"
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "/oname=packbell.ico" "${ICON}"
  File "/oname=README.md" "${README}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "packbell"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "packbell"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\packbell.ico"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  CreateDirectory "$SMPROGRAMS\packbell"
SectionEnd

Section "Office" SecOffice
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${BIN_DIR}\packbell-office.exe"
  CreateShortCut "$SMPROGRAMS\packbell\packbell office.lnk" "$INSTDIR\packbell-office.exe" "" "$INSTDIR\packbell.ico"
  !insertmacro SetShortcutAppId "$SMPROGRAMS\packbell\packbell office.lnk" "${AUMID_OFFICE}"
SectionEnd

Section "Warehouse" SecWarehouse
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${BIN_DIR}\packbell-warehouse.exe"
  CreateShortCut "$SMPROGRAMS\packbell\packbell warehouse.lnk" "$INSTDIR\packbell-warehouse.exe" "" "$INSTDIR\packbell.ico"
  !insertmacro SetShortcutAppId "$SMPROGRAMS\packbell\packbell warehouse.lnk" "${AUMID_WAREHOUSE}"
SectionEnd

Section "Warehouse at logon" SecWarehouseLogon
  ; Every user's Startup folder; a user turns it off in Task Manager > Startup apps.
  SetShellVarContext all
  CreateShortCut "$SMSTARTUP\packbell warehouse.lnk" "$INSTDIR\packbell-warehouse.exe" "" "$INSTDIR\packbell.ico"
  !insertmacro SetShortcutAppId "$SMSTARTUP\packbell warehouse.lnk" "${AUMID_WAREHOUSE}"
SectionEnd

Section /o "Server" SecServer
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ; An upgrade replaces a running server: stop it first.
  nsExec::Exec 'schtasks /End /TN "${SERVER_TASK}"'
  nsExec::Exec 'taskkill /F /IM packbell-server.exe'
  File "${BIN_DIR}\packbell-server.exe"
  File "/oname=packbell-server-task.cmd" "${TASK_CMD}"
  File "/oname=packbell-pairing-code.cmd" "${PAIRING_CMD}"
  ; Data: %ProgramData%\packbell\server, readable by SYSTEM and Administrators only
  ; (it holds the server's TLS key).
  CreateDirectory "$APPDATA\packbell\server"
  nsExec::ExecToLog 'icacls "$APPDATA\packbell\server" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F"'
  ; Started at every boot as SYSTEM, before anyone logs on (no service wrapper needed).
  nsExec::ExecToLog 'schtasks /Create /F /TN "${SERVER_TASK}" /SC ONSTART /RU SYSTEM /RL HIGHEST /TR "\"$INSTDIR\packbell-server-task.cmd\""'
  ; LAN clients reach the server on the Private profile only (never on public Wi-Fi).
  nsExec::Exec 'netsh advfirewall firewall delete rule name="${FW_DISCOVERY}"'
  nsExec::Exec 'netsh advfirewall firewall delete rule name="${FW_WEBSOCKET}"'
  nsExec::ExecToLog 'netsh advfirewall firewall add rule name="${FW_DISCOVERY}" dir=in action=allow protocol=UDP localport=${DISCOVERY_PORT} profile=private program="$INSTDIR\packbell-server.exe"'
  nsExec::ExecToLog 'netsh advfirewall firewall add rule name="${FW_WEBSOCKET}" dir=in action=allow protocol=TCP localport=${WS_PORT} profile=private program="$INSTDIR\packbell-server.exe"'
  nsExec::ExecToLog 'schtasks /Run /TN "${SERVER_TASK}"'
  CreateShortCut "$SMPROGRAMS\packbell\packbell pairing code.lnk" "$INSTDIR\packbell-pairing-code.cmd" "" "$INSTDIR\packbell.ico"
SectionEnd

LangString DESC_Office ${LANG_ENGLISH} "The office window: enter ready orders, see them packed."
LangString DESC_Office ${LANG_SPANISH} "La ventana de oficina: anota pedidos listos y mira cuándo se empaquetan."
LangString DESC_Warehouse ${LANG_ENGLISH} "The warehouse window: rings for each new ready order."
LangString DESC_Warehouse ${LANG_SPANISH} "La ventana del almacén: suena con cada pedido listo."
LangString DESC_WarehouseLogon ${LANG_ENGLISH} "Start the warehouse window when anyone logs on."
LangString DESC_WarehouseLogon ${LANG_SPANISH} "Abrir la ventana del almacén al iniciar sesión."
LangString DESC_Server ${LANG_ENGLISH} "The server (one PC per shop): starts at boot, opens UDP ${DISCOVERY_PORT} and TCP ${WS_PORT} on private networks."
LangString DESC_Server ${LANG_SPANISH} "El servidor (un PC por tienda): arranca con Windows y abre UDP ${DISCOVERY_PORT} y TCP ${WS_PORT} en redes privadas."
!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecOffice} $(DESC_Office)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecWarehouse} $(DESC_Warehouse)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecWarehouseLogon} $(DESC_WarehouseLogon)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecServer} $(DESC_Server)
!insertmacro MUI_FUNCTION_DESCRIPTION_END

; Logon start needs the warehouse program.
Function .onSelChange
  ${IfNot} ${SectionIsSelected} ${SecWarehouse}
    !insertmacro UnselectSection ${SecWarehouseLogon}
  ${EndIf}
FunctionEnd

; ------------------------------------------------------------------ uninstaller
LangString ASK_DATA ${LANG_ENGLISH} "Also delete the server's data (orders, backups, reports, server identity) in $APPDATA\packbell\server?"
LangString ASK_DATA ${LANG_SPANISH} "¿Borrar también los datos del servidor (pedidos, copias, informes, identidad) en $APPDATA\packbell\server?"

Section "Uninstall"
  SetShellVarContext all
  nsExec::Exec 'schtasks /End /TN "${SERVER_TASK}"'
  nsExec::Exec 'schtasks /Delete /F /TN "${SERVER_TASK}"'
  nsExec::Exec 'taskkill /F /IM packbell-server.exe'
  nsExec::Exec 'netsh advfirewall firewall delete rule name="${FW_DISCOVERY}"'
  nsExec::Exec 'netsh advfirewall firewall delete rule name="${FW_WEBSOCKET}"'
  Delete "$SMSTARTUP\packbell warehouse.lnk"
  RMDir /r "$SMPROGRAMS\packbell"
  Delete "$INSTDIR\packbell-office.exe"
  Delete "$INSTDIR\packbell-warehouse.exe"
  Delete "$INSTDIR\packbell-server.exe"
  Delete "$INSTDIR\packbell-server-task.cmd"
  Delete "$INSTDIR\packbell-pairing-code.cmd"
  Delete "$INSTDIR\packbell.ico"
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  ; Kept by default (silent uninstalls too): a reinstall finds the same site.
  ${If} ${FileExists} "$APPDATA\packbell\server\*.*"
    MessageBox MB_YESNO|MB_DEFBUTTON2 "$(ASK_DATA)" /SD IDNO IDNO keep_data
      RMDir /r "$APPDATA\packbell\server"
      RMDir "$APPDATA\packbell"
    keep_data:
  ${EndIf}
SectionEnd
