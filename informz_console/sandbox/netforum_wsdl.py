"""The WSDL the netFORUM sandbox serves at `netForumXML.asmx?WSDL`: the two xWeb operations the
integration uses, laid out as an ASP.NET web service describes them (document/literal, SOAP 1.1,
the `AuthorizationToken` header in and out of ExecuteMethod and out of Authenticate).

`ExecuteMethodResult` is mixed content with `<s:any/>`, as in xWeb: the rows are plain XML
(`<Results recordReturn="N"><Result>...</Result></Results>`, in no namespace) that the server
method defines; the WSDL does not type them.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

NAMESPACE = "http://www.avectra.com/2005/"

_WSDL = """<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:s="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://www.avectra.com/2005/"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    targetNamespace="http://www.avectra.com/2005/">
  <wsdl:types>
    <s:schema elementFormDefault="qualified" targetNamespace="http://www.avectra.com/2005/">
      <s:element name="Authenticate">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="userName" type="s:string"/>
            <s:element minOccurs="0" maxOccurs="1" name="password" type="s:string"/>
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:element name="AuthenticateResponse">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="AuthenticateResult" type="s:string"/>
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:element name="AuthorizationToken" type="tns:AuthorizationToken"/>
      <s:complexType name="AuthorizationToken">
        <s:sequence>
          <s:element minOccurs="0" maxOccurs="1" name="Token" type="s:string"/>
        </s:sequence>
        <s:anyAttribute/>
      </s:complexType>
      <s:element name="ExecuteMethod">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="serviceName" type="s:string"/>
            <s:element minOccurs="0" maxOccurs="1" name="methodName" type="s:string"/>
            <s:element minOccurs="0" maxOccurs="1" name="parameters"
                type="tns:ArrayOfParameter"/>
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:complexType name="ArrayOfParameter">
        <s:sequence>
          <s:element minOccurs="0" maxOccurs="unbounded" name="Parameter"
              type="tns:Parameter"/>
        </s:sequence>
      </s:complexType>
      <s:complexType name="Parameter">
        <s:sequence>
          <s:element minOccurs="0" maxOccurs="1" name="Name" type="s:string"/>
          <s:element minOccurs="0" maxOccurs="1" name="Value" type="s:string"/>
        </s:sequence>
      </s:complexType>
      <s:element name="ExecuteMethodResponse">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="ExecuteMethodResult">
              <s:complexType mixed="true">
                <s:sequence>
                  <s:any/>
                </s:sequence>
              </s:complexType>
            </s:element>
          </s:sequence>
        </s:complexType>
      </s:element>
    </s:schema>
  </wsdl:types>
  <wsdl:message name="AuthenticateSoapIn">
    <wsdl:part name="parameters" element="tns:Authenticate"/>
  </wsdl:message>
  <wsdl:message name="AuthenticateSoapOut">
    <wsdl:part name="parameters" element="tns:AuthenticateResponse"/>
  </wsdl:message>
  <wsdl:message name="AuthenticateAuthorizationToken">
    <wsdl:part name="AuthorizationToken" element="tns:AuthorizationToken"/>
  </wsdl:message>
  <wsdl:message name="ExecuteMethodSoapIn">
    <wsdl:part name="parameters" element="tns:ExecuteMethod"/>
  </wsdl:message>
  <wsdl:message name="ExecuteMethodSoapOut">
    <wsdl:part name="parameters" element="tns:ExecuteMethodResponse"/>
  </wsdl:message>
  <wsdl:message name="ExecuteMethodAuthorizationToken">
    <wsdl:part name="AuthorizationToken" element="tns:AuthorizationToken"/>
  </wsdl:message>
  <wsdl:portType name="netForumXMLSoap">
    <wsdl:operation name="Authenticate">
      <wsdl:input message="tns:AuthenticateSoapIn"/>
      <wsdl:output message="tns:AuthenticateSoapOut"/>
    </wsdl:operation>
    <wsdl:operation name="ExecuteMethod">
      <wsdl:input message="tns:ExecuteMethodSoapIn"/>
      <wsdl:output message="tns:ExecuteMethodSoapOut"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="netForumXMLSoap" type="tns:netForumXMLSoap">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Authenticate">
      <soap:operation soapAction="http://www.avectra.com/2005/Authenticate" style="document"/>
      <wsdl:input>
        <soap:body use="literal"/>
      </wsdl:input>
      <wsdl:output>
        <soap:body use="literal"/>
        <soap:header message="tns:AuthenticateAuthorizationToken" part="AuthorizationToken"
            use="literal"/>
      </wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="ExecuteMethod">
      <soap:operation soapAction="http://www.avectra.com/2005/ExecuteMethod" style="document"/>
      <wsdl:input>
        <soap:body use="literal"/>
        <soap:header message="tns:ExecuteMethodAuthorizationToken" part="AuthorizationToken"
            use="literal"/>
      </wsdl:input>
      <wsdl:output>
        <soap:body use="literal"/>
        <soap:header message="tns:ExecuteMethodAuthorizationToken" part="AuthorizationToken"
            use="literal"/>
      </wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="netForumXML">
    <wsdl:port name="netForumXMLSoap" binding="tns:netForumXMLSoap">
      <soap:address location=__LOCATION__/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


def wsdl(location: str) -> bytes:
    """The WSDL with the service address set to `location` (the asmx URL clients called)."""
    return _WSDL.replace("__LOCATION__", quoteattr(location)).encode("utf-8")
